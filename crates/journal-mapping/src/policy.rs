//! The firm's choices: granularity, fee VAT classes, disputes, accounting method.

use bookkeeping_core::Provider;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::chart::FeeCategory;
use crate::vat::VatTable;

/// How many vouchers the mapper writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Granularity {
    /// One voucher per sale, refund and payout (the verifikation is the order).
    PerDocument,
    /// Sales and refunds summed per Stockholm day and provider (Sharespine's
    /// midnight cut-off); one voucher per payout and per PayPal day.
    #[default]
    PerDay,
    /// Sales per day as [`Granularity::PerDay`]; each payout is one voucher,
    /// split at month end: lines that occurred in an earlier month are booked
    /// in that month (dated its last day) when the period covers it.
    PerPayout,
}

/// The VAT treatment of a fee, chosen per provider and fee kind (Skatteverket's
/// 2020 position, dnr 8-5507, makes this the firm's call, not a constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeeVatClass {
    /// An exempt financial service: the whole fee is cost.
    Exempt,
    /// Swedish VAT charged by the provider: net to cost, the provider's VAT to
    /// 2641. Only VAT shown by the provider is deducted.
    SwedishVat,
    /// Reverse charge on a service bought from another EU country: cost, plus
    /// 25 % on 2645 (debit) and 2614 (credit); with `memo`, also the base on
    /// 4535 (debit) / 4598 (credit) for ruta 21.
    ReverseCharge {
        /// Book the 4535/4598 memo pair.
        memo: bool,
    },
    /// An accountant decides: the fee is booked as cost without VAT and a
    /// review item asks for the decision.
    Review,
}

impl FeeVatClass {
    /// A short Swedish text for the posting (the decision on the voucher).
    pub fn label(&self) -> &'static str {
        match self {
            FeeVatClass::Exempt => "momsfri",
            FeeVatClass::SwedishVat => "svensk moms",
            FeeVatClass::ReverseCharge { .. } => "omvänd moms",
            FeeVatClass::Review => "moms att utreda",
        }
    }
}

/// How a lost dispute is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LostDispute {
    /// Like a refund: sales and output VAT reversed pro rata per rate.
    #[default]
    Refund,
    /// A bad debt on 6351 with no VAT correction (a review item says to
    /// correct VAT once the loss is final).
    BadDebt,
}

/// How disputes are booked. An opened dispute always moves the money from the
/// clearing receivable to the disputed receivable (1589/1687); a won dispute
/// moves it back; a lost one follows `lost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct DisputePolicy {
    /// What a lost dispute becomes.
    pub lost: LostDispute,
}

/// Faktureringsmetod or kontantmetod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccountingMethod {
    /// Book sales when they occur, against the provider's clearing receivable;
    /// payouts settle it.
    #[default]
    Faktureringsmetod,
    /// Book sales when paid: a sale settled by a provider is booked in the
    /// payout (or PayPal line) that paid it; allowed for turnover ≤ 3 MSEK.
    Kontantmetod,
}

/// A fee VAT class for one provider and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeVatRule {
    /// The provider.
    pub provider: Provider,
    /// The fee category; `None` for all categories of the provider.
    pub category: Option<FeeCategory>,
    /// The class.
    pub class: FeeVatClass,
}

/// The firm's bookkeeping choices. [`Policy::default`] documents each default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Default [`Granularity::PerDay`]: a readable number of vouchers that an
    /// accountant can still follow to the orders (midnight cut-off in
    /// Europe/Stockholm, as Sharespine does).
    pub granularity: Granularity,
    /// Default [`AccountingMethod::Faktureringsmetod`]: right for every firm;
    /// kontantmetod only for turnover ≤ 3 MSEK.
    pub method: AccountingMethod,
    /// Default: lost disputes are booked as refunds (the sale did not happen
    /// for VAT purposes).
    pub disputes: DisputePolicy,
    /// Fee classes, first match wins; see [`Policy::fee_class`] for the
    /// defaults when no rule matches.
    pub fee_rules: Vec<FeeVatRule>,
    /// Default `F`: a series of kassabok's own, so an import never mixes with
    /// the firm's manual vouchers and can be undone.
    pub series: String,
    /// Default 50: Fortnox rejects longer voucher and transaction texts.
    pub text_limit: usize,
    /// Default 0.50 SEK: a difference between an order's payments and its
    /// lines up to this is öresavrundning (3740); a larger one is a review item.
    pub rounding_tolerance: Decimal,
    /// Default [`VatTable::swedish`]: 25, 12 and 6 % always valid.
    pub vat_table: VatTable,
    /// Default `false`: a Stripe payment with no Stripe invoice and no known
    /// sale (Checkout, Payment Links) is a sale kassabok cannot see; each is a
    /// review item and a coverage entry, and its payout does not reconcile.
    /// `true` when the firm issues its invoices in another program (which
    /// booked them on 1510) and takes their payments through Stripe: such a
    /// payment then settles 1510 Kundfordringar.
    #[serde(default)]
    pub external_invoices: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            granularity: Granularity::default(),
            method: AccountingMethod::default(),
            disputes: DisputePolicy::default(),
            fee_rules: Vec::new(),
            series: "F".into(),
            text_limit: 50,
            rounding_tolerance: Decimal::new(50, 2),
            vat_table: VatTable::swedish(),
            external_invoices: false,
        }
    }
}

impl Policy {
    /// Sets a fee class for a provider (all categories when `category` is `None`).
    /// Later calls take precedence over earlier ones.
    #[must_use]
    pub fn with_fee_class(
        mut self,
        provider: Provider,
        category: Option<FeeCategory>,
        class: FeeVatClass,
    ) -> Self {
        self.fee_rules.insert(
            0,
            FeeVatRule {
                provider,
                category,
                class,
            },
        );
        self
    }

    /// Sets the granularity.
    #[must_use]
    pub fn with_granularity(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// Stripe payments without a Stripe invoice pay invoices issued in
    /// another program: they settle 1510 ([`Policy::external_invoices`]).
    #[must_use]
    pub fn with_external_invoices(mut self, external: bool) -> Self {
        self.external_invoices = external;
        self
    }

    /// Sets the accounting method.
    #[must_use]
    pub fn with_method(mut self, method: AccountingMethod) -> Self {
        self.method = method;
        self
    }

    /// The VAT class of a fee. Defaults when no rule matches, with the reason:
    ///
    /// - Currency conversion fees of any provider: `Exempt` (currency exchange
    ///   is an exempt financial service).
    /// - Stripe: `ReverseCharge` (Stripe Payments Europe, Ireland, tells EU
    ///   customers to self-account; Billing and Radar are plainly taxable).
    /// - Shopify: `ReverseCharge` (an electronic service from Shopify
    ///   International, Ireland; processing is an administrative service under
    ///   Skatteverket's 2020 position).
    /// - Klarna: `SwedishVat` (Klarna Bank AB is Swedish and shows VAT on its
    ///   fees where it charges it; a fee without VAT is booked without VAT).
    /// - PayPal: `Exempt` (common practice treats PayPal's core fee as an exempt
    ///   financial service; unverified, so override it if the firm decides otherwise).
    pub fn fee_class(&self, provider: Provider, category: FeeCategory) -> FeeVatClass {
        if let Some(rule) = self
            .fee_rules
            .iter()
            .find(|r| r.provider == provider && r.category.is_none_or(|c| c == category))
        {
            return rule.class;
        }
        if category == FeeCategory::Currency {
            return FeeVatClass::Exempt;
        }
        match provider {
            Provider::Stripe | Provider::Shopify => FeeVatClass::ReverseCharge { memo: false },
            Provider::Klarna => FeeVatClass::SwedishVat,
            _ => FeeVatClass::Exempt,
        }
    }
}
