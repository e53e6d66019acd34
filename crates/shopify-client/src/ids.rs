//! Id newtypes, one per Shopify object, so an order id can never be passed
//! where a payout id is expected.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! gid_newtype {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Wraps an id as Shopify sent it (a GID such as `gid://shopify/", $kind, "/123`).")]
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as Shopify sent it.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The numeric tail of the GID (the REST / legacy id), when the id is a GID.
            pub fn numeric(&self) -> Option<&str> {
                let tail = self.0.rsplit('/').next()?;
                let tail = tail.split('?').next()?;
                (!tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())).then_some(tail)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

gid_newtype!(
    /// An order (`gid://shopify/Order/…`).
    OrderId,
    "Order"
);
gid_newtype!(
    /// A refund (`gid://shopify/Refund/…`).
    RefundId,
    "Refund"
);
gid_newtype!(
    /// An order transaction (`gid://shopify/OrderTransaction/…`).
    OrderTransactionId,
    "OrderTransaction"
);
gid_newtype!(
    /// A Shopify Payments payout (`gid://shopify/ShopifyPaymentsPayout/…`).
    PayoutId,
    "ShopifyPaymentsPayout"
);
gid_newtype!(
    /// A Shopify Payments balance transaction
    /// (`gid://shopify/ShopifyPaymentsBalanceTransaction/…`).
    BalanceTransactionId,
    "ShopifyPaymentsBalanceTransaction"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_tail_of_a_gid() {
        let id = OrderId::new("gid://shopify/Order/5512345678901");
        assert_eq!(id.numeric(), Some("5512345678901"));
        assert_eq!(id.to_string(), "gid://shopify/Order/5512345678901");
        assert_eq!(OrderId::new("gid://shopify/Order/").numeric(), None);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"gid://shopify/Order/5512345678901\"");
    }
}
