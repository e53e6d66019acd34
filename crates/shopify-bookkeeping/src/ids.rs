//! Id newtypes, one per Shopify object, so an order id can never be passed
//! where a payout id is expected.

provider_http::provider_id! {
    provider: "Shopify",
    /// An order (`gid://shopify/Order/…`).
    pub struct OrderId;
    /// A refund (`gid://shopify/Refund/…`).
    pub struct RefundId;
    /// An order transaction (`gid://shopify/OrderTransaction/…`).
    pub struct OrderTransactionId;
    /// A line item (`gid://shopify/LineItem/…`).
    pub struct LineItemId;
    /// A shipping line (`gid://shopify/ShippingLine/…`).
    pub struct ShippingLineId;
    /// A refunded line item (`gid://shopify/RefundLineItem/…`).
    pub struct RefundLineItemId;
    /// A refunded shipping line (`gid://shopify/RefundShippingLine/…`).
    pub struct RefundShippingLineId;
    /// An order adjustment on a refund (`gid://shopify/OrderAdjustment/…`).
    pub struct OrderAdjustmentId;
    /// A Shopify Payments payout (`gid://shopify/ShopifyPaymentsPayout/…`).
    pub struct PayoutId;
    /// A Shopify Payments balance transaction
    /// (`gid://shopify/ShopifyPaymentsBalanceTransaction/…`).
    pub struct BalanceTransactionId;
}

/// The numeric tail of a GID (`gid://shopify/Order/123` → `123`), if there is one.
fn gid_numeric(id: &str) -> Option<&str> {
    let tail = id.rsplit('/').next()?;
    let tail = tail.split('?').next()?;
    (!tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())).then_some(tail)
}

/// `numeric()` for Shopify's GID newtypes (an extra of this crate).
macro_rules! gid_numeric {
    ($($name:ident),+) => {
        $(
            impl $name {
                /// The numeric tail of the GID (the REST / legacy id), when the id is a GID.
                pub fn numeric(&self) -> Option<&str> {
                    gid_numeric(self.as_str())
                }
            }
        )+
    };
}

gid_numeric!(
    OrderId,
    RefundId,
    OrderTransactionId,
    PayoutId,
    BalanceTransactionId
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
