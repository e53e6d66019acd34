//! Klarna's enumerations, with unknown values kept as `Unknown(String)`.

provider_http::open_enum! {
    provider: "Klarna",
    /// Whether a payout's amounts are net or gross of fees
    /// (`merchant_settlement_type`).
    pub enum MerchantSettlementType {
        /// `GROSS`.
        Gross => "GROSS",
        /// `NET`.
        Net => "NET",
        /// `GROSS_FEE`.
        GrossFee => "GROSS_FEE",
    }
}

provider_http::open_enum! {
    provider: "Klarna",
    /// A transaction's `type`: what the money movement is.
    pub enum TransactionType {
        /// `COMMISSION`.
        Commission => "COMMISSION",
        /// `SALE`.
        Sale => "SALE",
        /// `REVERSAL`.
        Reversal => "REVERSAL",
        /// `RETURN`.
        Return => "RETURN",
        /// `TAX`.
        Tax => "TAX",
        /// `FEE`.
        Fee => "FEE",
        /// `FEE_REFUND`.
        FeeRefund => "FEE_REFUND",
        /// `CORRECTION`.
        Correction => "CORRECTION",
        /// `REVERSAL_MERCHANT_PROTECTION`.
        ReversalMerchantProtection => "REVERSAL_MERCHANT_PROTECTION",
        /// `CHARGE`.
        Charge => "CHARGE",
        /// `CREDIT`.
        Credit => "CREDIT",
        /// `HOLDBACK`.
        Holdback => "HOLDBACK",
        /// `RELEASE`.
        Release => "RELEASE",
    }
}

provider_http::open_enum! {
    provider: "Klarna",
    /// A transaction's `detailed_type`: the purpose within its type (which
    /// fee, which correction).
    pub enum DetailedType {
        /// `COMMISSION`.
        Commission => "COMMISSION",
        /// `CREDITED_CORRECTION`.
        CreditedCorrection => "CREDITED_CORRECTION",
        /// `PURCHASE_FEE_PERCENTAGE`.
        PurchaseFeePercentage => "PURCHASE_FEE_PERCENTAGE",
        /// `PURCHASE_FEE_PERCENTAGE_REFUND`.
        PurchaseFeePercentageRefund => "PURCHASE_FEE_PERCENTAGE_REFUND",
        /// `LATE_RETURN_FEE`.
        LateReturnFee => "LATE_RETURN_FEE",
        /// `PURCHASE_FEE_FIXED`.
        PurchaseFeeFixed => "PURCHASE_FEE_FIXED",
        /// `EXPIRY_FEE_GROSS`.
        ExpiryFeeGross => "EXPIRY_FEE_GROSS",
        /// `EXPIRY_FEE`.
        ExpiryFee => "EXPIRY_FEE",
        /// `SERVICING_FEE`.
        ServicingFee => "SERVICING_FEE",
        /// `RETURN_FEE`.
        ReturnFee => "RETURN_FEE",
        /// `EXTRA_INVOICE_FEE`.
        ExtraInvoiceFee => "EXTRA_INVOICE_FEE",
        /// `PURCHASE_RETURN`.
        PurchaseReturn => "PURCHASE_RETURN",
        /// `COMMISSION_RETURN`.
        CommissionReturn => "COMMISSION_RETURN",
        /// `REVERSAL`.
        Reversal => "REVERSAL",
        /// `FRAUD_POLICY_CHARGE`.
        FraudPolicyCharge => "FRAUD_POLICY_CHARGE",
        /// `COMMISSION_RETURN_GROSS`.
        CommissionReturnGross => "COMMISSION_RETURN_GROSS",
        /// `FRAUD_POLICY_CREDIT_NET`.
        FraudPolicyCreditNet => "FRAUD_POLICY_CREDIT_NET",
        /// `PURCHASE`.
        Purchase => "PURCHASE",
        /// `MANUAL_ENTRY`.
        ManualEntry => "MANUAL_ENTRY",
        /// `LOAN_PAYOUT`.
        LoanPayout => "LOAN_PAYOUT",
        /// `LOAN_AMORTISATION`.
        LoanAmortisation => "LOAN_AMORTISATION",
        /// `LOAN_FEE`.
        LoanFee => "LOAN_FEE",
        /// `FEE_REFUND`.
        FeeRefund => "FEE_REFUND",
        /// `PURCHASE_COMMISSION_PERCENTAGE`.
        PurchaseCommissionPercentage => "PURCHASE_COMMISSION_PERCENTAGE",
        /// `EXTEND_DUE_DATE_FEE`.
        ExtendDueDateFee => "EXTEND_DUE_DATE_FEE",
        /// `TRANSFER_FROM_LEGACY_INTEGRATION`.
        TransferFromLegacyIntegration => "TRANSFER_FROM_LEGACY_INTEGRATION",
        /// `FIXED_FEE_CORRECTION_UK`.
        FixedFeeCorrectionUk => "FIXED_FEE_CORRECTION_UK",
        /// `PERCENTAGE_FEE_CORRECTION_UK`.
        PercentageFeeCorrectionUk => "PERCENTAGE_FEE_CORRECTION_UK",
        /// `VAT_ON_FEE_CORRECTION_UK`.
        VatOnFeeCorrectionUk => "VAT_ON_FEE_CORRECTION_UK",
        /// `FIXED_FEE_CORRECTION_SE`.
        FixedFeeCorrectionSe => "FIXED_FEE_CORRECTION_SE",
        /// `PERCENTAGE_FEE_CORRECTION_SE`.
        PercentageFeeCorrectionSe => "PERCENTAGE_FEE_CORRECTION_SE",
        /// `PERCENTAGE_FEE_CORRECTION`.
        PercentageFeeCorrection => "PERCENTAGE_FEE_CORRECTION",
        /// `FIXED_FEE_CORRECTION`.
        FixedFeeCorrection => "FIXED_FEE_CORRECTION",
        /// `ROLLING_RESERVE`.
        RollingReserve => "ROLLING_RESERVE",
        /// `PERCENTAGE_FEES`.
        PercentageFees => "PERCENTAGE_FEES",
        /// `PAYMENT_REMINDER`.
        PaymentReminder => "PAYMENT_REMINDER",
        /// `CORRECTION`.
        Correction => "CORRECTION",
        /// `UNDER_REVIEW`.
        UnderReview => "UNDER_REVIEW",
        /// `INSUFFICIENT_BANK_ACCOUNT_DETAILS`.
        InsufficientBankAccountDetails => "INSUFFICIENT_BANK_ACCOUNT_DETAILS",
        /// `DISPUTE_FEE`.
        DisputeFee => "DISPUTE_FEE",
        /// `DISPUTE_FEE_REFUND`.
        DisputeFeeRefund => "DISPUTE_FEE_REFUND",
        /// `CORRECTION_DISPUTE`.
        CorrectionDispute => "CORRECTION_DISPUTE",
        /// `PAYMENT_DEFAULT`.
        PaymentDefault => "PAYMENT_DEFAULT",
    }
}

impl DetailedType {
    /// Whether the detailed type corrects a Klarna fee (a fee correction
    /// counts towards `fee_correction_amount`).
    pub fn is_fee_correction(&self) -> bool {
        self.as_str().contains("FEE_CORRECTION")
    }
}
