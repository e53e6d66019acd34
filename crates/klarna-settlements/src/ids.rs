//! Id newtypes, one per Klarna object.

provider_http::provider_id! {
    provider: "Klarna",
    /// A payout's payment reference (`XISA93DJ`): the reference on the bank
    /// statement and the payout's id in the API.
    pub struct PaymentReference;
    /// A Klarna order id (a UUID).
    pub struct OrderId;
    /// A capture id (a UUID), on sales and fees.
    pub struct CaptureId;
    /// A refund id, on returns.
    pub struct RefundId;
    /// The merchant id (Klarna counts rate limits per merchant).
    pub struct MerchantId;
}

/// `AsRef<str>` for Klarna's ids (an extra of this crate).
macro_rules! as_ref_str {
    ($($name:ident),+) => {
        $(
            impl AsRef<str> for $name {
                fn as_ref(&self) -> &str {
                    self.as_str()
                }
            }
        )+
    };
}

as_ref_str!(PaymentReference, OrderId, CaptureId, RefundId, MerchantId);
