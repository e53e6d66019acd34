//! Id newtypes for PayPal objects.

provider_http::provider_id! {
    provider: "PayPal",
    /// A PayPal transaction id (17 characters, e.g. `8VX12345AB678901C`). Not unique in
    /// reporting: the same id can come as a balance-affecting and a non-balance-affecting
    /// record, and both sides of a currency conversion may carry it.
    pub struct TransactionId;
    /// A PayPal account id (13 characters, e.g. `7QW4EXAMPLE2K`): the merchant's own
    /// account (`account_number`) or a payer's (`payer_info.account_id`).
    pub struct AccountId;
}
