//! What a client does in a close: the source traits it implements, asked
//! for once, so that a host hands each client over once.

use std::sync::Arc;

use bookkeeping_core::{PayoutSource, SalesSource, StatementSource};

/// The roles a client plays in a [`Close`](super::Close): a source of sales,
/// of payouts, of statements, or several of them. Each `as_*` returns the
/// client as that source, or `None` when it is not one.
///
/// The four provider clients implement it (with their features), and so do
/// `&T`, `Box<T>` and `Arc<T>` of any `T` that does. A host's own source
/// implements it in a few lines:
///
/// ```
/// use kassabok::core::{Period, Provider, RecordStream, SalesRecord, SalesSource, Source};
/// use kassabok::close::Roles;
///
/// /// Sales from the host's own order system.
/// struct OwnOrders;
///
/// impl Source for OwnOrders {
///     fn provider(&self) -> Provider {
///         Provider::Shopify
///     }
/// }
///
/// impl SalesSource for OwnOrders {
///     fn sales<'a>(&'a self, _period: &'a Period) -> RecordStream<'a, SalesRecord> {
///         Box::pin(futures::stream::empty())
///     }
/// }
///
/// impl Roles for OwnOrders {
///     fn as_sales_source(&self) -> Option<&dyn SalesSource> {
///         Some(self)
///     }
/// }
///
/// assert!(OwnOrders.as_sales_source().is_some());
/// assert!(OwnOrders.as_payout_source().is_none());
/// ```
pub trait Roles: Send + Sync {
    /// The client as a source of sales and refunds.
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        None
    }

    /// The client as a source of payouts.
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        None
    }

    /// The client as a source of bank-like statements.
    fn as_statement_source(&self) -> Option<&dyn StatementSource> {
        None
    }
}

/// Forwards every role to what `$outer` points at.
macro_rules! forward_roles {
    ($($outer:ty),*) => {$(
        impl<T: Roles + ?Sized> Roles for $outer {
            fn as_sales_source(&self) -> Option<&dyn SalesSource> {
                (**self).as_sales_source()
            }
            fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
                (**self).as_payout_source()
            }
            fn as_statement_source(&self) -> Option<&dyn StatementSource> {
                (**self).as_statement_source()
            }
        }
    )*};
}

forward_roles!(&T, Box<T>, Arc<T>);

/// Shopify: orders (the sales report) and Shopify Payments payouts.
#[cfg(feature = "shopify")]
impl Roles for shopify_bookkeeping::ShopifyClient {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        Some(self)
    }
}

/// Shopify with the host's bookkeeping options (`NormalizeOptions`): orders and payouts.
#[cfg(feature = "shopify")]
impl Roles for shopify_bookkeeping::ShopifySource {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        Some(self)
    }
}

/// Klarna's Settlements API: payouts.
#[cfg(feature = "klarna")]
impl Roles for klarna_settlements::KlarnaClient {
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        Some(self)
    }
}

/// Klarna's sales report (a CSV the merchant downloads): sales.
#[cfg(feature = "klarna")]
impl Roles for klarna_settlements::report::SalesReport {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
}

/// Stripe: invoices (sales) and payouts with their balance transactions.
#[cfg(feature = "stripe")]
impl Roles for stripe_invoicing::StripeClient {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        Some(self)
    }
}

/// Stripe with the host's bookkeeping options (`SourceOptions`): invoices and payouts.
#[cfg(feature = "stripe")]
impl Roles for stripe_invoicing::StripeSource {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        Some(self)
    }
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        Some(self)
    }
}

/// PayPal: the account's transactions, as statements.
#[cfg(feature = "paypal")]
impl Roles for paypal_transactions::PayPalClient {
    fn as_statement_source(&self) -> Option<&dyn StatementSource> {
        Some(self)
    }
}

/// One role of a [`Sources`](super::Sources) entry, for [`Close::sources`](super::Close::sources).
pub(super) enum OneRole {
    Sales(Arc<dyn SalesSource>),
    Payouts(Arc<dyn PayoutSource>),
    Statements(Arc<dyn StatementSource>),
}

impl Roles for OneRole {
    fn as_sales_source(&self) -> Option<&dyn SalesSource> {
        match self {
            OneRole::Sales(s) => Some(s.as_ref()),
            _ => None,
        }
    }
    fn as_payout_source(&self) -> Option<&dyn PayoutSource> {
        match self {
            OneRole::Payouts(s) => Some(s.as_ref()),
            _ => None,
        }
    }
    fn as_statement_source(&self) -> Option<&dyn StatementSource> {
        match self {
            OneRole::Statements(s) => Some(s.as_ref()),
            _ => None,
        }
    }
}
