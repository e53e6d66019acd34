//! Klarna's enumerations, with unknown values kept as `Unknown(String)`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! klarna_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $($variant:ident = $text:literal),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $text, "`.")]
                $variant,
            )*
            /// A value this crate does not know, kept as Klarna wrote it;
            /// normalization turns it into a review item.
            Unknown(String),
        }

        impl $name {
            /// The value as Klarna writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Unknown(other) => other,
                }
            }

            /// Whether the value is one this crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok(Self::from(text.as_ref()))
            }
        }
    };
}

klarna_enum!(
    /// Whether a payout's amounts are net or gross of fees
    /// (`merchant_settlement_type`).
    MerchantSettlementType {
        Gross = "GROSS",
        Net = "NET",
        GrossFee = "GROSS_FEE",
    }
);

klarna_enum!(
    /// A transaction's `type`: what the money movement is.
    TransactionType {
        Commission = "COMMISSION",
        Sale = "SALE",
        Reversal = "REVERSAL",
        Return = "RETURN",
        Tax = "TAX",
        Fee = "FEE",
        FeeRefund = "FEE_REFUND",
        Correction = "CORRECTION",
        ReversalMerchantProtection = "REVERSAL_MERCHANT_PROTECTION",
        Charge = "CHARGE",
        Credit = "CREDIT",
        Holdback = "HOLDBACK",
        Release = "RELEASE",
    }
);

klarna_enum!(
    /// A transaction's `detailed_type`: the purpose within its type (which
    /// fee, which correction).
    DetailedType {
        Commission = "COMMISSION",
        CreditedCorrection = "CREDITED_CORRECTION",
        PurchaseFeePercentage = "PURCHASE_FEE_PERCENTAGE",
        PurchaseFeePercentageRefund = "PURCHASE_FEE_PERCENTAGE_REFUND",
        LateReturnFee = "LATE_RETURN_FEE",
        PurchaseFeeFixed = "PURCHASE_FEE_FIXED",
        ExpiryFeeGross = "EXPIRY_FEE_GROSS",
        ExpiryFee = "EXPIRY_FEE",
        ServicingFee = "SERVICING_FEE",
        ReturnFee = "RETURN_FEE",
        ExtraInvoiceFee = "EXTRA_INVOICE_FEE",
        PurchaseReturn = "PURCHASE_RETURN",
        CommissionReturn = "COMMISSION_RETURN",
        Reversal = "REVERSAL",
        FraudPolicyCharge = "FRAUD_POLICY_CHARGE",
        CommissionReturnGross = "COMMISSION_RETURN_GROSS",
        FraudPolicyCreditNet = "FRAUD_POLICY_CREDIT_NET",
        Purchase = "PURCHASE",
        ManualEntry = "MANUAL_ENTRY",
        LoanPayout = "LOAN_PAYOUT",
        LoanAmortisation = "LOAN_AMORTISATION",
        LoanFee = "LOAN_FEE",
        FeeRefund = "FEE_REFUND",
        PurchaseCommissionPercentage = "PURCHASE_COMMISSION_PERCENTAGE",
        ExtendDueDateFee = "EXTEND_DUE_DATE_FEE",
        TransferFromLegacyIntegration = "TRANSFER_FROM_LEGACY_INTEGRATION",
        FixedFeeCorrectionUk = "FIXED_FEE_CORRECTION_UK",
        PercentageFeeCorrectionUk = "PERCENTAGE_FEE_CORRECTION_UK",
        VatOnFeeCorrectionUk = "VAT_ON_FEE_CORRECTION_UK",
        FixedFeeCorrectionSe = "FIXED_FEE_CORRECTION_SE",
        PercentageFeeCorrectionSe = "PERCENTAGE_FEE_CORRECTION_SE",
        PercentageFeeCorrection = "PERCENTAGE_FEE_CORRECTION",
        FixedFeeCorrection = "FIXED_FEE_CORRECTION",
        RollingReserve = "ROLLING_RESERVE",
        PercentageFees = "PERCENTAGE_FEES",
        PaymentReminder = "PAYMENT_REMINDER",
        Correction = "CORRECTION",
        UnderReview = "UNDER_REVIEW",
        InsufficientBankAccountDetails = "INSUFFICIENT_BANK_ACCOUNT_DETAILS",
        DisputeFee = "DISPUTE_FEE",
        DisputeFeeRefund = "DISPUTE_FEE_REFUND",
        CorrectionDispute = "CORRECTION_DISPUTE",
        PaymentDefault = "PAYMENT_DEFAULT",
    }
);

impl DetailedType {
    /// Whether the detailed type corrects a Klarna fee (a fee correction
    /// counts towards `fee_correction_amount`).
    pub fn is_fee_correction(&self) -> bool {
        self.as_str().contains("FEE_CORRECTION")
    }
}
