//! A generated month of a plausible Swedish shop, consistent across providers.
//!
//! "Kaffekompaniet i Göteborg AB" sells coffee, tea, cups and books through
//! Shopify. Customers pay with Shopify Payments (cards), Klarna, PayPal, a gift
//! card or a manual bank transfer. B2B customers get invoices from Stripe
//! Invoicing. Every amount is in integer minor units (öre, cents) and every
//! total adds up: a payout's amount is the sum of its items' nets, a PayPal
//! balance is the sum of its transactions.
//!
//! The scenario is provider-neutral; each simulated server (`shopify`,
//! `klarna`, `stripe`, `paypal` modules) renders it in its API's real shapes.
//! It is deterministic from its seed: the same [`ScenarioConfig`] always gives
//! the same scenario.

use rust_decimal::Decimal;
use time::{Date, Duration, OffsetDateTime};

use bookkeeping_core::{CountryCode, Currency, Period, stockholm_date, stockholm_midnight};

/// How to generate a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioConfig {
    /// The seed: the same seed gives the same month.
    pub seed: u64,
    /// The month (or other period) the shop's sales happen in.
    pub period: Period,
    /// Number of Shopify orders in the period (at least 14 are always generated
    /// so that every special case is present).
    pub orders: usize,
    /// Number of Stripe invoices (at least the five special ones).
    pub invoices: usize,
}

impl ScenarioConfig {
    /// A small month: 60 orders, 8 invoices, seed 2026.
    pub fn small(period: Period) -> Self {
        ScenarioConfig {
            seed: 2026,
            period,
            orders: 60,
            invoices: 8,
        }
    }
}

/// A Shopify payment gateway, as Shopify names it in an order transaction's `gateway`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gateway {
    /// `shopify_payments`: cards, settled by Shopify Payments payouts.
    ShopifyPayments,
    /// `Klarna`: settled by Klarna payouts.
    Klarna,
    /// `paypal`: lands on the PayPal balance.
    PayPal,
    /// `manual`: bank transfer or Swish outside any integration.
    Manual,
    /// `gift_card`: a gift card redeemed.
    GiftCard,
}

impl Gateway {
    /// The gateway name as Shopify writes it.
    pub fn shopify_name(&self) -> &'static str {
        match self {
            Gateway::ShopifyPayments => "shopify_payments",
            Gateway::Klarna => "Klarna",
            Gateway::PayPal => "paypal",
            Gateway::Manual => "manual",
            Gateway::GiftCard => "gift_card",
        }
    }
}

/// How an order's goods are taxed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderTax {
    /// Swedish VAT (25/12/6 %).
    Domestic,
    /// EU consumer under OSS: the destination country's rates.
    Oss(CountryCode),
    /// EU business with a VAT number: no VAT (reverse charge).
    EuB2b,
    /// Outside the EU: no VAT.
    Export,
}

/// One line of an order, prices including VAT (Swedish shops show gross prices;
/// Shopify's `taxesIncluded` is true).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// Shopify line item id.
    pub id: u64,
    /// Product title.
    pub title: String,
    /// SKU.
    pub sku: String,
    /// Quantity.
    pub quantity: u32,
    /// Unit price including VAT, minor units.
    pub unit_price: i64,
    /// Discount allocated to this line, including VAT, minor units.
    pub discount: i64,
    /// VAT rate in percent (0 when not taxed).
    pub vat_rate: Decimal,
    /// VAT on the discounted line, minor units (what Shopify's tax line says).
    pub vat: i64,
    /// A gift card sold (no VAT, not revenue).
    pub gift_card: bool,
}

impl OrderLine {
    /// `quantity × unit_price − discount`: what the customer paid for the line, VAT included.
    pub fn gross(&self) -> i64 {
        i64::from(self.quantity) * self.unit_price - self.discount
    }
}

/// Shipping charged on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippingLine {
    /// Title ("PostNord MyPack").
    pub title: String,
    /// Price including VAT, minor units.
    pub price: i64,
    /// VAT rate in percent.
    pub vat_rate: Decimal,
    /// VAT, minor units.
    pub vat: i64,
}

/// A payment or refund transaction on an order (Shopify `OrderTransaction`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTransaction {
    /// Shopify transaction id.
    pub id: u64,
    /// `SALE`, `AUTHORIZATION`, `CAPTURE`, `VOID` or `REFUND`.
    pub kind: TransactionKind,
    /// The gateway.
    pub gateway: Gateway,
    /// Amount, positive, minor units.
    pub amount: i64,
    /// When processed.
    pub processed_at: OffsetDateTime,
}

/// What an order transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionKind {
    /// Money from the customer.
    Sale,
    /// Money back to the customer.
    Refund,
    /// Funds held on the customer's account at checkout, to be captured
    /// later (Shopify's manual capture); moves no money.
    Authorization,
    /// An authorization captured: money from the customer.
    Capture,
    /// An authorization released without a capture (the order cancelled);
    /// moves no money.
    Void,
}

impl TransactionKind {
    /// Whether money moves (all but an authorization and its void).
    ///
    /// ```
    /// use provider_sandbox::scenario::TransactionKind;
    ///
    /// assert!(TransactionKind::Capture.moves_money());
    /// assert!(!TransactionKind::Authorization.moves_money());
    /// ```
    pub fn moves_money(self) -> bool {
        !matches!(self, TransactionKind::Authorization | TransactionKind::Void)
    }
}

/// A refund of some of an order's lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRefund {
    /// Shopify refund id.
    pub id: u64,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// Refunded lines: (line id, quantity, amount incl. VAT, VAT).
    pub lines: Vec<RefundedLine>,
    /// The refund transaction.
    pub transaction: OrderTransaction,
    /// A note.
    pub note: String,
}

/// A refunded part of an order line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedLine {
    /// The order line id.
    pub line_id: u64,
    /// Quantity refunded.
    pub quantity: u32,
    /// Amount refunded including VAT, minor units.
    pub subtotal: i64,
    /// VAT refunded, minor units.
    pub vat: i64,
}

/// A Shopify order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Shopify's numeric id (`gid://shopify/Order/{id}`).
    pub id: u64,
    /// The order name, `#1001`.
    pub name: String,
    /// When processed.
    pub processed_at: OffsetDateTime,
    /// Shop currency (SEK).
    pub currency: Currency,
    /// Customer e-mail.
    pub email: String,
    /// Shipping/billing country.
    pub country: CountryCode,
    /// The customer's VAT number (B2B).
    pub vat_number: Option<String>,
    /// How it is taxed.
    pub tax: OrderTax,
    /// Lines.
    pub lines: Vec<OrderLine>,
    /// Shipping.
    pub shipping: Option<ShippingLine>,
    /// Discount code and the total it took off (VAT included), spread over the lines.
    pub discount_code: Option<(String, i64)>,
    /// Payment transactions (one per gateway used).
    pub transactions: Vec<OrderTransaction>,
    /// Refunds.
    pub refunds: Vec<OrderRefund>,
    /// When the shop cancelled it, if it did.
    pub cancelled_at: Option<OffsetDateTime>,
    /// A chargeback was raised on the card payment.
    pub disputed: bool,
}

impl Order {
    /// Total paid, VAT included.
    pub fn total(&self) -> i64 {
        self.lines.iter().map(OrderLine::gross).sum::<i64>()
            + self.shipping.as_ref().map_or(0, |s| s.price)
    }

    /// Total VAT.
    pub fn total_vat(&self) -> i64 {
        self.lines.iter().map(|l| l.vat).sum::<i64>() + self.shipping.as_ref().map_or(0, |s| s.vat)
    }

    /// The main (non-gift-card) gateway.
    pub fn gateway(&self) -> Gateway {
        self.transactions
            .iter()
            .map(|t| t.gateway)
            .find(|g| *g != Gateway::GiftCard)
            .unwrap_or(Gateway::GiftCard)
    }
}

/// What a settlement item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A customer payment.
    Charge,
    /// A refund to a customer.
    Refund,
    /// A chargeback: funds withdrawn.
    Dispute,
    /// A fee on its own line (Stripe Billing, Klarna monthly fee).
    Fee,
    /// Money held back.
    ReserveHeld,
    /// Money released.
    ReserveReleased,
}

/// One item of a payout, in the payout's currency unless `original` says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementItem {
    /// The provider's id of the item (balance transaction, capture…).
    pub id: String,
    /// What it is.
    pub kind: ItemKind,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// Gross, signed, payout currency, minor units.
    pub gross: i64,
    /// Fee withheld (positive = cost), VAT included, minor units.
    pub fee: i64,
    /// The VAT part of `fee`.
    pub fee_vat: i64,
    /// The Shopify order it settles, by index into [`Scenario::orders`].
    pub order: Option<usize>,
    /// The Stripe invoice it settles, by index into [`Scenario::invoices`].
    pub invoice: Option<usize>,
    /// An external reference (an invoice number issued elsewhere).
    pub reference: Option<String>,
    /// Original currency and amount when converted.
    pub original: Option<(Currency, i64)>,
    /// Exchange rate (payout currency per original unit) when converted.
    pub exchange_rate: Option<Decimal>,
}

impl SettlementItem {
    /// `gross − fee`.
    pub fn net(&self) -> i64 {
        self.gross - self.fee
    }
}

/// A payout of one provider with its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutPlan {
    /// The provider's payout id (numeric for Shopify, `po_…` for Stripe,
    /// the payment reference for Klarna).
    pub id: String,
    /// When created.
    pub created_at: OffsetDateTime,
    /// When it reaches the bank.
    pub arrival_date: Date,
    /// Currency.
    pub currency: Currency,
    /// Items.
    pub items: Vec<SettlementItem>,
    /// When the bank rejected the payout (Stripe): from then on the
    /// simulated Stripe shows it `failed`, with the `payout_failure` balance
    /// transaction that returned its money. A payout can show `paid` and
    /// turn `failed` days later.
    pub failed_at: Option<OffsetDateTime>,
}

impl PayoutPlan {
    /// The amount to the bank: Σ item nets.
    pub fn amount(&self) -> i64 {
        self.items.iter().map(SettlementItem::net).sum()
    }
}

/// A Stripe customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceCustomer {
    /// `cus_…`.
    pub id: String,
    /// Company name.
    pub name: String,
    /// Country.
    pub country: CountryCode,
    /// VAT number (`eu_vat` tax id).
    pub vat_number: Option<String>,
    /// Stripe `tax_exempt`: `none`, `exempt` or `reverse`.
    pub tax_exempt: &'static str,
}

/// A line of a Stripe invoice, amounts excluding tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// `il_…`.
    pub id: String,
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: u32,
    /// Amount excluding tax, minor units.
    pub amount: i64,
    /// Tax rate percent (0 for reverse charge / export).
    pub tax_rate: Decimal,
    /// Tax amount, minor units.
    pub tax: i64,
    /// Stripe `taxability_reason` for untaxed lines (`reverse_charge`, `not_subject_to_tax`).
    pub taxability_reason: Option<&'static str>,
}

/// A Stripe Invoicing invoice, paid by card through Stripe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    /// `in_…`.
    pub id: String,
    /// Invoice number (`KK-2026-0001`).
    pub number: String,
    /// Customer.
    pub customer: InvoiceCustomer,
    /// Currency of the invoice.
    pub currency: Currency,
    /// Finalized (the sale date).
    pub finalized_at: OffsetDateTime,
    /// Paid.
    pub paid_at: OffsetDateTime,
    /// Lines.
    pub lines: Vec<InvoiceLine>,
    /// The charge that paid it (`ch_…`).
    pub charge_id: String,
    /// The payment intent (`pi_…`).
    pub payment_intent_id: String,
    /// The invoice payment (`inpay_…`).
    pub invoice_payment_id: String,
}

impl Invoice {
    /// Subtotal excluding tax.
    pub fn subtotal(&self) -> i64 {
        self.lines.iter().map(|l| l.amount).sum()
    }
    /// Total tax.
    pub fn tax(&self) -> i64 {
        self.lines.iter().map(|l| l.tax).sum()
    }
    /// Total including tax.
    pub fn total(&self) -> i64 {
        self.subtotal() + self.tax()
    }
}

/// A transaction on the PayPal account (one row of Transaction Search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayPalTransaction {
    /// 17-character transaction id.
    pub id: String,
    /// Event code (`T0006` payment, `T1107` refund, `T0200` conversion, `T0400` withdrawal).
    pub event_code: &'static str,
    /// When it happened.
    pub initiated_at: OffsetDateTime,
    /// Currency.
    pub currency: Currency,
    /// Gross, signed, minor units.
    pub gross: i64,
    /// Fee, signed as PayPal writes it (negative = cost), minor units.
    pub fee: i64,
    /// Balance after, minor units.
    pub balance_after: i64,
    /// Payer e-mail and name.
    pub payer: Option<(String, String)>,
    /// The shop's invoice id (the Shopify order name).
    pub invoice_id: Option<String>,
    /// The related transaction (a refund's payment, a conversion's pair).
    pub reference_id: Option<String>,
    /// The Shopify order, by index.
    pub order: Option<usize>,
}

/// The PayPal account over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayPalAccount {
    /// The merchant account id.
    pub account_id: String,
    /// Opening balances per currency, minor units.
    pub opening: Vec<(Currency, i64)>,
    /// Transactions in time order.
    pub transactions: Vec<PayPalTransaction>,
}

impl PayPalAccount {
    /// The closing balance of a currency.
    pub fn closing(&self, currency: Currency) -> i64 {
        let opening = self
            .opening
            .iter()
            .find(|(c, _)| *c == currency)
            .map_or(0, |(_, a)| *a);
        opening
            + self
                .transactions
                .iter()
                .filter(|t| t.currency == currency)
                .map(|t| t.gross + t.fee)
                .sum::<i64>()
    }
}

/// The shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    /// Company name.
    pub name: String,
    /// Organisation number.
    pub org_nr: String,
    /// `{handle}.myshopify.com` handle.
    pub handle: String,
}

/// A month of the shop, across all providers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The config it was generated from.
    pub config: ScenarioConfig,
    /// The shop.
    pub shop: Shop,
    /// Shopify orders in time order.
    pub orders: Vec<Order>,
    /// Shopify Payments payouts.
    pub shopify_payouts: Vec<PayoutPlan>,
    /// Klarna payouts.
    pub klarna_payouts: Vec<PayoutPlan>,
    /// Stripe invoices.
    pub invoices: Vec<Invoice>,
    /// Stripe payouts.
    pub stripe_payouts: Vec<PayoutPlan>,
    /// The PayPal account.
    pub paypal: PayPalAccount,
    /// The cases placed at each month end inside the period.
    pub boundary: Vec<BoundaryCase>,
    /// The instant the servers show the data as it stands at (see
    /// [`Scenario::at`]); `None`: everything, as if long after the period.
    pub clock: Option<OffsetDateTime>,
}

/// What happens at a month end inside the scenario's period: every month
/// end that has a next month in the period gets one of each, so that two
/// consecutive monthly closes are judged at their edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundaryKind {
    /// A Stripe payout created on the month's last day that reaches the bank
    /// on the 2nd of the next month (its charge and fee are of the month).
    StripePayoutArrivesNextMonth,
    /// A Shopify Payments card charge two hours before the month ends, paid
    /// out only on the 2nd of the next month.
    ShopifyChargePendingAtMonthEnd,
    /// A Klarna sale the day before the month ends, settled on the 3rd of
    /// the next month.
    KlarnaSettledNextMonth,
    /// A PayPal sale two minutes before midnight whose receipt lands on the
    /// PayPal balance three minutes after it.
    PayPalReceiptAfterMidnight,
    /// A card order at 00:30 on the 1st in Stockholm (22:30 or 23:30 UTC the
    /// day before).
    OrderAfterMidnight,
    /// A card order three days before the month ends, partly refunded on the
    /// 2nd of the next month.
    RefundNextMonth,
    /// A Stripe invoice issued four days before the month ends and paid four
    /// days after it: open at the month's end.
    StripeInvoiceOpenAtMonthEnd,
    /// A PayPal order three days before the month ends, partly refunded in
    /// Shopify two minutes before midnight; PayPal's refund transaction
    /// (`T1107`) lands on the balance three minutes after it.
    PayPalRefundAfterMidnight,
    /// A Stripe invoice paid by card two hours before the month ends: the
    /// charge's balance transaction is `created` in the month and
    /// `available_on` two days later, in the next month, and the payout
    /// that carries it is created on the 3rd of the next month.
    StripeChargeAvailableNextMonth,
    /// A Stripe payout that reaches the bank three days before the month
    /// ends and fails on the 3rd of the next month: "A payout can show
    /// `paid` and later turn `failed`", and its `payout_failure` balance
    /// transaction returns the money to the Stripe balance then.
    StripePayoutFailsNextMonth,
    /// A PayPal order authorized ten days before the month ends and
    /// captured on the 2nd of the next month (Shopify's manual capture:
    /// `AUTHORIZATION`, then `CAPTURE`; PayPal keeps an authorization for 29
    /// days): the receipt lands on the PayPal balance at the capture, more
    /// than a week after the sale.
    PayPalCapturedNextMonth,
    /// A Klarna order authorized twelve days before the month ends and
    /// captured on the 2nd of the next month (the Klarna app for Shopify
    /// sets a manually captured order `Authorized` until the shop captures
    /// it; Klarna's standard authorization period is 28 days): its
    /// settlement line is dated at the capture.
    KlarnaCapturedNextMonth,
    /// A Klarna order authorized four days before the month ends and
    /// cancelled on the 3rd of the next month, never captured: Shopify
    /// voids the authorization (`VOID`) and the order is `VOIDED`; Klarna
    /// settles nothing.
    KlarnaCancelledNextMonth,
}

/// One boundary case of the scenario, with what it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryCase {
    /// What it is.
    pub kind: BoundaryKind,
    /// The instant the month ends (midnight in Stockholm, in UTC).
    pub month_end: OffsetDateTime,
    /// The Shopify order, by index into [`Scenario::orders`].
    pub order: Option<usize>,
    /// The Stripe invoice, by index into [`Scenario::invoices`].
    pub invoice: Option<usize>,
    /// The payout carrying the case's line, by id.
    pub payout: Option<String>,
}

impl Scenario {
    /// The same scenario as it stands at `now`: the servers show no object
    /// created later, and a charge's payout, an invoice's payment or a
    /// refund only once it has happened.
    #[must_use]
    pub fn at(&self, now: OffsetDateTime) -> Scenario {
        Scenario {
            clock: Some(now),
            ..self.clone()
        }
    }

    /// Whether something that happens at `t` has happened at the clock.
    pub fn has_happened(&self, t: OffsetDateTime) -> bool {
        self.clock.is_none_or(|now| t <= now)
    }

    /// The month ends strictly inside the period (the instant each month
    /// that is followed by another in the period ends).
    pub fn month_ends(&self) -> Vec<OffsetDateTime> {
        month_ends(self.config.period)
    }

    /// The boundary case of `kind` at the first month end.
    pub fn boundary_case(&self, kind: BoundaryKind) -> Option<&BoundaryCase> {
        self.boundary.iter().find(|c| c.kind == kind)
    }
}

fn month_ends(period: Period) -> Vec<OffsetDateTime> {
    let mut out = Vec::new();
    let mut d = period.first();
    while d <= period.last() {
        if d.day() == 1 && d > period.first() {
            out.push(stockholm_midnight(d));
        }
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// Moves the item of `payouts` that `pick` chooses into a payout of its own
/// created at 06:00 Stockholm on `date` (arriving `arrival_days` later), and
/// returns that payout's id.
fn detach(
    payouts: &mut Vec<PayoutPlan>,
    pick: impl Fn(&SettlementItem) -> bool,
    id: String,
    date: Date,
    arrival_days: i64,
) -> Option<String> {
    let (pi, ii) = payouts
        .iter()
        .enumerate()
        .find_map(|(pi, p)| p.items.iter().position(&pick).map(|ii| (pi, ii)))?;
    let item = payouts[pi].items.remove(ii);
    if payouts[pi].items.is_empty() {
        payouts.remove(pi);
    }
    payouts.push(PayoutPlan {
        id: id.clone(),
        created_at: stockholm_midnight(date) + Duration::hours(6),
        arrival_date: date + Duration::days(arrival_days),
        currency: Currency::SEK,
        items: vec![item],
        failed_at: None,
    });
    payouts.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Some(id)
}

struct Product {
    title: &'static str,
    sku: &'static str,
    price: i64,
    kind: ProductKind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ProductKind {
    Food,
    Goods,
    Book,
    GiftCard,
}

const PRODUCTS: &[Product] = &[
    Product {
        title: "Kaffe Mellanrost 500 g",
        sku: "KAF-MR-500",
        price: 12_900,
        kind: ProductKind::Food,
    },
    Product {
        title: "Kaffe Mörkrost 500 g",
        sku: "KAF-MO-500",
        price: 13_900,
        kind: ProductKind::Food,
    },
    Product {
        title: "Te Earl Grey 100 g",
        sku: "TE-EG-100",
        price: 8_900,
        kind: ProductKind::Food,
    },
    Product {
        title: "Kaffekopp stengods",
        sku: "KOP-ST-01",
        price: 19_900,
        kind: ProductKind::Goods,
    },
    Product {
        title: "Kaffebryggare Moccamaster",
        sku: "BRY-MM-01",
        price: 249_900,
        kind: ProductKind::Goods,
    },
    Product {
        title: "Bok: Svensk fika",
        sku: "BOK-FIKA",
        price: 29_900,
        kind: ProductKind::Book,
    },
];

const GIFT_CARD: Product = Product {
    title: "Presentkort 500 kr",
    sku: "GIFT-500",
    price: 50_000,
    kind: ProductKind::GiftCard,
};

/// Swedish VAT on food: 12 %, but 6 % from 2026-04-01 to 2027-12-31.
pub fn swedish_food_rate(date: Date) -> Decimal {
    let cut_start = Date::from_calendar_date(2026, time::Month::April, 1).expect("valid date");
    let cut_end = Date::from_calendar_date(2027, time::Month::December, 31).expect("valid date");
    if date >= cut_start && date <= cut_end {
        Decimal::from(6)
    } else {
        Decimal::from(12)
    }
}

fn rate_for(kind: ProductKind, tax: &OrderTax, date: Date) -> Decimal {
    match (tax, kind) {
        (_, ProductKind::GiftCard) => Decimal::ZERO,
        (OrderTax::EuB2b | OrderTax::Export, _) => Decimal::ZERO,
        // Germany: 7 % on food and books, 19 % on other goods.
        (OrderTax::Oss(_), ProductKind::Food | ProductKind::Book) => Decimal::from(7),
        (OrderTax::Oss(_), ProductKind::Goods) => Decimal::from(19),
        (OrderTax::Domestic, ProductKind::Food) => swedish_food_rate(date),
        (OrderTax::Domestic, ProductKind::Book) => Decimal::from(6),
        (OrderTax::Domestic, ProductKind::Goods) => Decimal::from(25),
    }
}

/// VAT contained in a gross amount: `gross × rate / (100 + rate)`, rounded half
/// away from zero to the minor unit, as Shopify does for tax-inclusive prices.
pub fn vat_in_gross(gross: i64, rate: Decimal) -> i64 {
    if rate.is_zero() {
        return 0;
    }
    let vat = Decimal::from(gross) * rate / (Decimal::ONE_HUNDRED + rate);
    let rounded =
        vat.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).expect("VAT of an i64 amount fits an i64")
}

/// `amount × percent / 100 + fixed`, rounded half away from zero.
fn fee_of(amount: i64, percent: Decimal, fixed: i64) -> i64 {
    let fee = Decimal::from(amount.abs()) * percent / Decimal::ONE_HUNDRED;
    let rounded =
        fee.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).expect("fee fits") + fixed
}

struct Ids {
    rng: fastrand::Rng,
}

impl Ids {
    fn alnum(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| CHARS[self.rng.usize(..CHARS.len())] as char)
            .collect()
    }
    fn upper(&mut self, len: usize) -> String {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len)
            .map(|_| CHARS[self.rng.usize(..CHARS.len())] as char)
            .collect()
    }
    fn stripe(&mut self, prefix: &str) -> String {
        format!("{prefix}_{}", self.alnum(24))
    }
}

impl Scenario {
    /// Generates the scenario for `config`.
    pub fn generate(config: &ScenarioConfig) -> Scenario {
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let mut ids = Ids {
            rng: fastrand::Rng::with_seed(config.seed ^ 0x05ee_d1d5),
        };
        let period = config.period;
        let start = period.start_utc();
        let span_secs = (period.end_utc() - start).whole_seconds().max(1);
        let n_orders = config.orders.max(14);

        // Order times, sorted, with special orders spread over the month.
        let mut times: Vec<(OffsetDateTime, Option<(BoundaryKind, OffsetDateTime)>)> = (0
            ..n_orders)
            .map(|_| (start + Duration::seconds(rng.i64(0..span_secs)), None))
            .collect();
        let ends = month_ends(period);
        for &end in &ends {
            for (kind, at) in [
                (BoundaryKind::RefundNextMonth, end - Duration::days(3)),
                (
                    BoundaryKind::KlarnaSettledNextMonth,
                    end - Duration::days(1) - Duration::hours(3),
                ),
                (
                    BoundaryKind::ShopifyChargePendingAtMonthEnd,
                    end - Duration::hours(2),
                ),
                (
                    BoundaryKind::PayPalReceiptAfterMidnight,
                    end - Duration::minutes(2),
                ),
                (
                    BoundaryKind::OrderAfterMidnight,
                    end + Duration::minutes(30),
                ),
                (
                    BoundaryKind::PayPalRefundAfterMidnight,
                    end - Duration::days(3) + Duration::hours(2),
                ),
                (
                    BoundaryKind::PayPalCapturedNextMonth,
                    end - Duration::days(10) + Duration::hours(4),
                ),
                (
                    BoundaryKind::KlarnaCapturedNextMonth,
                    end - Duration::days(12) + Duration::hours(5),
                ),
                (
                    BoundaryKind::KlarnaCancelledNextMonth,
                    end - Duration::days(4) + Duration::hours(6),
                ),
            ] {
                times.push((at, Some((kind, end))));
            }
        }
        times.sort_by_key(|(t, _)| *t);
        let mut boundary = Vec::new();

        let mut orders = Vec::with_capacity(n_orders);
        let mut next_line_id = 13_400_000_000_u64;
        let mut next_txn_id = 6_100_000_000_u64;
        let mut next_refund_id = 930_000_000_u64;
        for (i, (processed_at, at_boundary)) in times.into_iter().enumerate() {
            let date = stockholm_date(processed_at);
            // A boundary order is a plain domestic order.
            let special = if at_boundary.is_some() { 99 } else { i % 14 };
            if let Some((kind, month_end)) = at_boundary {
                boundary.push(BoundaryCase {
                    kind,
                    month_end,
                    order: Some(i),
                    invoice: None,
                    payout: None,
                });
            }
            let (tax, country, vat_number) = match special {
                3 => (
                    OrderTax::Oss(CountryCode::new("DE").expect("DE")),
                    "DE",
                    None,
                ),
                9 => (OrderTax::EuB2b, "FI", Some("FI20774740".to_owned())),
                10 => (OrderTax::Export, "NO", None),
                _ => (OrderTax::Domestic, "SE", None),
            };
            let gateway = match (at_boundary.map(|(k, _)| k), special) {
                (
                    Some(
                        BoundaryKind::KlarnaSettledNextMonth
                        | BoundaryKind::KlarnaCapturedNextMonth
                        | BoundaryKind::KlarnaCancelledNextMonth,
                    ),
                    _,
                ) => Gateway::Klarna,
                (
                    Some(
                        BoundaryKind::PayPalReceiptAfterMidnight
                        | BoundaryKind::PayPalRefundAfterMidnight
                        | BoundaryKind::PayPalCapturedNextMonth,
                    ),
                    _,
                ) => Gateway::PayPal,
                (Some(_), _) => Gateway::ShopifyPayments,
                (None, special) => match special {
                    6 | 11 => Gateway::Klarna,
                    7 => Gateway::Manual,
                    8 | 12 => Gateway::PayPal,
                    _ if i % 14 == 13 => match rng.u8(0..4) {
                        0 => Gateway::Klarna,
                        1 => Gateway::PayPal,
                        _ => Gateway::ShopifyPayments,
                    },
                    _ => Gateway::ShopifyPayments,
                },
            };

            // Lines.
            let mut lines = Vec::new();
            let n_lines = 1 + rng.usize(0..3);
            for _ in 0..n_lines {
                let p = &PRODUCTS[rng.usize(..PRODUCTS.len())];
                let qty = 1 + rng.u32(0..3);
                lines.push((p, qty));
            }
            if special == 1 {
                lines.push((&GIFT_CARD, 1));
            }
            let mut order_lines: Vec<OrderLine> = lines
                .into_iter()
                .map(|(p, qty)| {
                    next_line_id += 1;
                    OrderLine {
                        id: next_line_id,
                        title: p.title.to_owned(),
                        sku: p.sku.to_owned(),
                        quantity: qty,
                        unit_price: p.price,
                        discount: 0,
                        vat_rate: rate_for(p.kind, &tax, date),
                        vat: 0,
                        gift_card: p.kind == ProductKind::GiftCard,
                    }
                })
                .collect();

            // A 10 % discount code on the goods (never on gift cards), spread
            // over the lines in proportion to their price, remainder to the first.
            let discount_code = if special == 0 {
                let base: i64 = order_lines
                    .iter()
                    .filter(|l| !l.gift_card)
                    .map(|l| i64::from(l.quantity) * l.unit_price)
                    .sum();
                let total = base / 10;
                let mut left = total;
                for l in order_lines.iter_mut().filter(|l| !l.gift_card) {
                    let share = i64::from(l.quantity) * l.unit_price * total / base.max(1);
                    l.discount = share;
                    left -= share;
                }
                if let Some(first) = order_lines.iter_mut().find(|l| !l.gift_card) {
                    first.discount += left;
                }
                Some(("FIKA10".to_owned(), total))
            } else {
                None
            };
            for l in &mut order_lines {
                l.vat = vat_in_gross(l.gross(), l.vat_rate);
            }

            let goods_total: i64 = order_lines
                .iter()
                .filter(|l| !l.gift_card)
                .map(OrderLine::gross)
                .sum();
            let shipping = (goods_total > 0 && goods_total < 50_000).then(|| {
                let rate = match &tax {
                    OrderTax::Domestic => Decimal::from(25),
                    OrderTax::Oss(_) => Decimal::from(19),
                    _ => Decimal::ZERO,
                };
                ShippingLine {
                    title: "PostNord MyPack".to_owned(),
                    price: 4_900,
                    vat_rate: rate,
                    vat: vat_in_gross(4_900, rate),
                }
            });

            let mut order = Order {
                id: 5_800_000_000 + i as u64 * 7 + 1,
                name: format!("#{}", 1001 + i),
                processed_at,
                currency: Currency::SEK,
                email: format!("kund{}@example.se", 100 + i),
                country: CountryCode::new(country).expect("country"),
                vat_number,
                tax,
                lines: order_lines,
                shipping,
                discount_code,
                transactions: Vec::new(),
                refunds: Vec::new(),
                cancelled_at: None,
                disputed: special == 5,
            };

            // Payments: order 2 redeems a 200 kr gift card first.
            let total = order.total();
            let mut remaining = total;
            if special == 2 {
                let gift = 20_000.min(total);
                next_txn_id += 1;
                order.transactions.push(OrderTransaction {
                    id: next_txn_id,
                    kind: TransactionKind::Sale,
                    gateway: Gateway::GiftCard,
                    amount: gift,
                    processed_at,
                });
                remaining -= gift;
            }
            if remaining > 0 {
                // Sold at once, or (the manual-capture cases) authorized at
                // checkout and captured when the goods ship, or cancelled
                // first: "An authorization places a hold on the funds and is
                // valid for 29 days" (developer.paypal.com/docs/checkout/
                // advanced/authorization-honor); Klarna's standard
                // authorization period is 28 days.
                let (second, cancelled) = match at_boundary {
                    Some((
                        BoundaryKind::PayPalCapturedNextMonth
                        | BoundaryKind::KlarnaCapturedNextMonth,
                        end,
                    )) => (
                        Some((
                            TransactionKind::Capture,
                            end + Duration::days(1) + Duration::hours(9),
                        )),
                        false,
                    ),
                    Some((BoundaryKind::KlarnaCancelledNextMonth, end)) => (
                        Some((
                            TransactionKind::Void,
                            end + Duration::days(2) + Duration::hours(8),
                        )),
                        true,
                    ),
                    _ => (None, false),
                };
                let first = if second.is_some() {
                    TransactionKind::Authorization
                } else {
                    TransactionKind::Sale
                };
                for (kind, at) in std::iter::once((first, processed_at)).chain(second) {
                    next_txn_id += 1;
                    order.transactions.push(OrderTransaction {
                        id: next_txn_id,
                        kind,
                        gateway,
                        amount: remaining,
                        processed_at: at,
                    });
                }
                if cancelled {
                    order.cancelled_at = second.map(|(_, at)| at);
                }
            }

            // Partial refunds: order 4 (card) and order 11 (Klarna) give back one unit of the first line.
            let refund_at = match at_boundary {
                Some((BoundaryKind::RefundNextMonth, end)) => {
                    Some(end + Duration::days(1) + Duration::hours(10))
                }
                Some((BoundaryKind::PayPalRefundAfterMidnight, end)) => {
                    Some(end - Duration::minutes(2))
                }
                Some(_) => None,
                None => (special == 4 || special == 11 || special == 12)
                    .then(|| processed_at + Duration::days(3)),
            };
            if let Some(created_at) = refund_at {
                let line = &order.lines[0];
                let subtotal = line.unit_price - line.discount / i64::from(line.quantity);
                let vat = vat_in_gross(subtotal, line.vat_rate);
                next_txn_id += 1;
                next_refund_id += 1;
                order.refunds.push(OrderRefund {
                    id: next_refund_id,
                    created_at,
                    lines: vec![RefundedLine {
                        line_id: line.id,
                        quantity: 1,
                        subtotal,
                        vat,
                    }],
                    transaction: OrderTransaction {
                        id: next_txn_id,
                        kind: TransactionKind::Refund,
                        gateway,
                        amount: subtotal,
                        processed_at: created_at,
                    },
                    note: "Kunden ångrade köpet".to_owned(),
                });
            }
            orders.push(order);
        }

        let mut shopify_payouts = shopify_payouts(&orders);
        let mut klarna_payouts = klarna_payouts(&orders, &mut ids, period);
        let mut invoices = invoices(config, &mut rng, &mut ids);
        for &end in &ends {
            for (kind, finalized, paid) in [
                (
                    BoundaryKind::StripePayoutArrivesNextMonth,
                    end - Duration::days(5),
                    end - Duration::days(3),
                ),
                (
                    BoundaryKind::StripeInvoiceOpenAtMonthEnd,
                    end - Duration::days(4),
                    end + Duration::days(4),
                ),
                (
                    BoundaryKind::StripeChargeAvailableNextMonth,
                    end - Duration::days(6),
                    end - Duration::hours(2),
                ),
                (
                    BoundaryKind::StripePayoutFailsNextMonth,
                    end - Duration::days(9),
                    end - Duration::days(7),
                ),
            ] {
                boundary.push(BoundaryCase {
                    kind,
                    month_end: end,
                    order: None,
                    invoice: Some(invoices.len()),
                    payout: None,
                });
                invoices.push(boundary_invoice(&mut ids, invoices.len(), finalized, paid));
            }
        }
        let mut stripe_payouts = stripe_payouts(&invoices, &mut ids, period);
        for case in &mut boundary {
            let next_month = stockholm_date(case.month_end);
            let last_day = next_month.previous_day().unwrap_or(next_month);
            let (order, invoice) = (case.order, case.invoice);
            case.payout = match case.kind {
                BoundaryKind::StripePayoutArrivesNextMonth => detach(
                    &mut stripe_payouts,
                    |i| i.invoice == invoice,
                    ids.stripe("po"),
                    last_day,
                    2,
                ),
                // Stripe pays out what is available: the charge's funds are
                // available on the 2nd, so the payout of the 3rd carries it
                // (`available_on`, https://docs.stripe.com/api/balance_transactions/object).
                BoundaryKind::StripeChargeAvailableNextMonth => detach(
                    &mut stripe_payouts,
                    |i| i.invoice == invoice,
                    ids.stripe("po"),
                    next_month + Duration::days(2),
                    2,
                ),
                BoundaryKind::StripePayoutFailsNextMonth => {
                    let id = detach(
                        &mut stripe_payouts,
                        |i| i.invoice == invoice,
                        ids.stripe("po"),
                        last_day - Duration::days(4),
                        1,
                    );
                    let failed_at =
                        stockholm_midnight(next_month + Duration::days(2)) + Duration::hours(10);
                    if let Some(p) = stripe_payouts
                        .iter_mut()
                        .find(|p| Some(&p.id) == id.as_ref())
                    {
                        p.failed_at = Some(failed_at);
                    }
                    id
                }
                BoundaryKind::ShopifyChargePendingAtMonthEnd => detach(
                    &mut shopify_payouts,
                    |i| i.order == order && i.kind == ItemKind::Charge,
                    format!("{}", 118_900_000 + u32::from(next_month.ordinal())),
                    next_month + Duration::days(1),
                    0,
                ),
                BoundaryKind::KlarnaSettledNextMonth => detach(
                    &mut klarna_payouts,
                    |i| i.order == order && i.kind == ItemKind::Charge,
                    format!("XISA{:07}", 3_900_000 + u32::from(next_month.ordinal())),
                    next_month + Duration::days(2),
                    2,
                ),
                _ => None,
            };
        }
        let paypal = paypal(&orders, &mut ids, period, &boundary);

        Scenario {
            config: config.clone(),
            shop: Shop {
                name: "Kaffekompaniet i Göteborg AB".to_owned(),
                org_nr: "556677-8899".to_owned(),
                handle: "kaffekompaniet".to_owned(),
            },
            orders,
            shopify_payouts,
            klarna_payouts,
            invoices,
            stripe_payouts,
            paypal,
            boundary,
            clock: None,
        }
    }
}

/// A SEK Stripe invoice of the boundary cases: one service line at 25 %.
fn boundary_invoice(
    ids: &mut Ids,
    index: usize,
    finalized_at: OffsetDateTime,
    paid_at: OffsetDateTime,
) -> Invoice {
    let amount = 250_000;
    Invoice {
        id: ids.stripe("in"),
        number: format!(
            "KK-{}-{:04}",
            stockholm_date(finalized_at).year(),
            index + 1
        ),
        customer: InvoiceCustomer {
            id: format!("cus_{}", ids.alnum(14)),
            name: "Café Linnea AB".to_owned(),
            country: CountryCode::SE,
            vat_number: Some("SE556123456701".to_owned()),
            tax_exempt: "none",
        },
        currency: Currency::SEK,
        finalized_at,
        paid_at,
        lines: vec![InvoiceLine {
            id: ids.stripe("il"),
            description: "Kaffebryggare för café, service".to_owned(),
            quantity: 1,
            amount,
            tax_rate: Decimal::from(25),
            tax: amount / 4,
            taxability_reason: None,
        }],
        charge_id: ids.stripe("ch"),
        payment_intent_id: ids.stripe("pi"),
        invoice_payment_id: ids.stripe("inpay"),
    }
}

/// Groups items into payouts by their settlement date (the Stockholm date of
/// `occurred_at` plus `delay_days`, rounded up to a multiple of `every_days`).
fn group_payouts(
    mut items: Vec<SettlementItem>,
    delay_days: i64,
    every_days: i64,
    mut payout_id: impl FnMut(Date) -> String,
) -> Vec<PayoutPlan> {
    items.sort_by(|a, b| a.occurred_at.cmp(&b.occurred_at).then(a.id.cmp(&b.id)));
    let mut payouts: Vec<PayoutPlan> = Vec::new();
    for item in items {
        let d = stockholm_date(item.occurred_at) + Duration::days(delay_days);
        let offset = i64::from(d.to_julian_day()).rem_euclid(every_days);
        let payout_date = if offset == 0 {
            d
        } else {
            d + Duration::days(every_days - offset)
        };
        match payouts.last_mut() {
            Some(p) if stockholm_date(p.created_at) == payout_date => p.items.push(item),
            _ => payouts.push(PayoutPlan {
                id: payout_id(payout_date),
                created_at: stockholm_midnight(payout_date) + Duration::hours(6),
                arrival_date: payout_date + Duration::days(2),
                currency: Currency::SEK,
                items: vec![item],
                failed_at: None,
            }),
        }
    }
    payouts
}

fn shopify_payouts(orders: &[Order]) -> Vec<PayoutPlan> {
    let mut items = Vec::new();
    let mut bt_id = 2_070_000_000_u64;
    for (idx, o) in orders.iter().enumerate() {
        for t in o
            .transactions
            .iter()
            .filter(|t| t.gateway == Gateway::ShopifyPayments && t.kind.moves_money())
        {
            bt_id += 1;
            // Shopify Payments Sweden: 1.8 % + 1.80 kr for Swedish cards.
            let fee = fee_of(t.amount, Decimal::new(18, 1), 180);
            items.push(SettlementItem {
                id: bt_id.to_string(),
                kind: ItemKind::Charge,
                occurred_at: t.processed_at,
                gross: t.amount,
                fee,
                fee_vat: 0,
                order: Some(idx),
                invoice: None,
                reference: Some(t.id.to_string()),
                original: None,
                exchange_rate: None,
            });
            if o.disputed {
                bt_id += 1;
                items.push(SettlementItem {
                    id: bt_id.to_string(),
                    kind: ItemKind::Dispute,
                    occurred_at: t.processed_at + Duration::days(9),
                    gross: -t.amount,
                    fee: 15_000,
                    fee_vat: 0,
                    order: Some(idx),
                    invoice: None,
                    reference: Some(t.id.to_string()),
                    original: None,
                    exchange_rate: None,
                });
            }
        }
        for r in o
            .refunds
            .iter()
            .filter(|r| r.transaction.gateway == Gateway::ShopifyPayments)
        {
            bt_id += 1;
            items.push(SettlementItem {
                id: bt_id.to_string(),
                kind: ItemKind::Refund,
                occurred_at: r.created_at,
                gross: -r.transaction.amount,
                fee: 0,
                fee_vat: 0,
                order: Some(idx),
                invoice: None,
                reference: Some(r.transaction.id.to_string()),
                original: None,
                exchange_rate: None,
            });
        }
    }
    let mut n = 118_000_000_u64;
    group_payouts(items, 1, 1, |_| {
        n += 1;
        n.to_string()
    })
}

fn klarna_payouts(orders: &[Order], ids: &mut Ids, period: Period) -> Vec<PayoutPlan> {
    let mut items = Vec::new();
    for (idx, o) in orders.iter().enumerate() {
        // Klarna settles what was captured, dated at the capture.
        for t in o
            .transactions
            .iter()
            .filter(|t| t.gateway == Gateway::Klarna && t.kind.moves_money())
        {
            // Klarna: 2.49 % + 2.00 kr, plus 25 % Swedish VAT on the fee.
            let fee_net = fee_of(t.amount, Decimal::new(249, 2), 200);
            let fee_vat = vat_on_net(fee_net);
            items.push(SettlementItem {
                id: format!("{}-{}", ids.upper(8), ids.upper(4)),
                kind: ItemKind::Charge,
                occurred_at: t.processed_at + Duration::hours(2),
                gross: t.amount,
                fee: fee_net + fee_vat,
                fee_vat,
                order: Some(idx),
                invoice: None,
                reference: Some(o.name.clone()),
                original: None,
                exchange_rate: None,
            });
        }
        for r in o
            .refunds
            .iter()
            .filter(|r| r.transaction.gateway == Gateway::Klarna)
        {
            items.push(SettlementItem {
                id: format!("{}-{}", ids.upper(8), ids.upper(4)),
                kind: ItemKind::Refund,
                occurred_at: r.created_at,
                gross: -r.transaction.amount,
                fee: 0,
                fee_vat: 0,
                order: Some(idx),
                invoice: None,
                reference: Some(o.name.clone()),
                original: None,
                exchange_rate: None,
            });
        }
    }
    // A holdback in the middle of the month, released a week later.
    let mid = period.start_utc() + Duration::days(10);
    items.push(SettlementItem {
        id: "HOLDBACK-0001".to_owned(),
        kind: ItemKind::ReserveHeld,
        occurred_at: mid,
        gross: -50_000,
        fee: 0,
        fee_vat: 0,
        order: None,
        invoice: None,
        reference: None,
        original: None,
        exchange_rate: None,
    });
    items.push(SettlementItem {
        id: "RELEASE-0001".to_owned(),
        kind: ItemKind::ReserveReleased,
        occurred_at: mid + Duration::days(7),
        gross: 50_000,
        fee: 0,
        fee_vat: 0,
        order: None,
        invoice: None,
        reference: None,
        original: None,
        exchange_rate: None,
    });
    // A dispute on the first order paid through Klarna and not refunded
    // (goods not received), decided for the customer two weeks after the
    // sale: Klarna's settlement reverses the purchase (`REVERSAL`, "refund
    // transactions, registered by Klarna in disputed orders in favour of the
    // customer", Klarna's settlement-files documentation).
    if let Some((idx, o, t)) = orders.iter().enumerate().find_map(|(idx, o)| {
        let t = o
            .transactions
            .iter()
            .find(|t| t.gateway == Gateway::Klarna && t.kind == TransactionKind::Sale)?;
        (o.refunds.is_empty() && !o.disputed).then_some((idx, o, t))
    }) {
        items.push(SettlementItem {
            id: "REVERSAL-0001".to_owned(),
            kind: ItemKind::Dispute,
            occurred_at: t.processed_at + Duration::days(14),
            gross: -t.amount,
            fee: 0,
            fee_vat: 0,
            order: Some(idx),
            invoice: None,
            reference: Some(o.name.clone()),
            original: None,
            exchange_rate: None,
        });
    }
    // Klarna settles weekly.
    let mut n = 0_u64;
    group_payouts(items, 1, 7, |_| {
        n += 1;
        format!("XISA{:07}", 3_100_000 + n * 97)
    })
}

fn vat_on_net(net: i64) -> i64 {
    let v = Decimal::from(net) * Decimal::new(25, 2);
    i64::try_from(v.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
        .expect("fits")
}

fn invoices(config: &ScenarioConfig, rng: &mut fastrand::Rng, ids: &mut Ids) -> Vec<Invoice> {
    let period = config.period;
    let start = period.start_utc();
    let span = (period.end_utc() - start).whole_seconds().max(1);
    let n = config.invoices.max(5);
    let date_of = |t: OffsetDateTime| stockholm_date(t);
    let customers = [
        ("Café Linnea AB", "SE", Some("SE556123456701"), "none"),
        ("Rosteriet Nord AB", "SE", Some("SE556987654301"), "none"),
        ("Skolmatsalen i Lund", "SE", None, "none"),
        (
            "Kaffeehaus Berlin GmbH",
            "DE",
            Some("DE811907980"),
            "reverse",
        ),
        ("Brooklyn Beans Inc.", "US", None, "exempt"),
    ];
    let mut out = Vec::with_capacity(n);
    let mut times: Vec<OffsetDateTime> = (0..n)
        .map(|_| start + Duration::seconds(rng.i64(0..span)))
        .collect();
    times.sort();
    for (i, finalized_at) in times.into_iter().enumerate() {
        let (name, country, vat, exempt) = customers[i % customers.len()];
        let d = date_of(finalized_at);
        let (description, rate, reason, currency, unit) = match i % 5 {
            0 => (
                "Kaffebryggare för café, service",
                Decimal::from(25),
                None,
                Currency::SEK,
                450_000,
            ),
            1 => (
                "Kaffe Mellanrost 5 kg",
                swedish_food_rate(d),
                None,
                Currency::SEK,
                129_000,
            ),
            2 => (
                "Bok: Svensk fika, klassuppsättning",
                Decimal::from(6),
                None,
                Currency::SEK,
                89_700,
            ),
            3 => (
                "Kaffe Mörkrost 20 kg",
                Decimal::ZERO,
                Some("reverse_charge"),
                Currency::EUR,
                42_000,
            ),
            _ => (
                "Kaffe Mörkrost 10 kg, export",
                Decimal::ZERO,
                Some("not_subject_to_tax"),
                Currency::SEK,
                139_000,
            ),
        };
        let qty = 1 + (i as u32 % 3);
        let amount = unit * i64::from(qty);
        let tax = {
            let t = Decimal::from(amount) * rate / Decimal::ONE_HUNDRED;
            i64::try_from(
                t.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            )
            .expect("fits")
        };
        out.push(Invoice {
            id: ids.stripe("in"),
            number: format!("KK-{}-{:04}", d.year(), i + 1),
            customer: InvoiceCustomer {
                id: format!("cus_{}", ids.alnum(14)),
                name: name.to_owned(),
                country: CountryCode::new(country).expect("country"),
                vat_number: vat.map(str::to_owned),
                tax_exempt: exempt,
            },
            currency,
            finalized_at,
            paid_at: finalized_at + Duration::days(1 + (i as i64 % 4)),
            lines: vec![InvoiceLine {
                id: ids.stripe("il"),
                description: description.to_owned(),
                quantity: qty,
                amount,
                tax_rate: rate,
                tax,
                taxability_reason: reason,
            }],
            charge_id: ids.stripe("ch"),
            payment_intent_id: ids.stripe("pi"),
            invoice_payment_id: ids.stripe("inpay"),
        });
    }
    out
}

/// SEK per EUR used by Stripe's conversions in the scenario.
pub const STRIPE_EUR_SEK: &str = "11.4235";

fn stripe_payouts(invoices: &[Invoice], ids: &mut Ids, period: Period) -> Vec<PayoutPlan> {
    let rate: Decimal = STRIPE_EUR_SEK.parse().expect("rate");
    let mut items = Vec::new();
    for (idx, inv) in invoices.iter().enumerate() {
        let (gross, original, exchange_rate) = if inv.currency == Currency::SEK {
            (inv.total(), None, None)
        } else {
            // Converted to the SEK balance at Stripe's rate (EUR cents → öre).
            let sek = (Decimal::from(inv.total()) * rate)
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            (
                i64::try_from(sek).expect("fits"),
                Some((inv.currency, inv.total())),
                Some(rate),
            )
        };
        // Stripe: 1.5 % + 1.80 kr for EEA cards, 3.25 % + 1.80 kr otherwise; no VAT (reverse charge).
        let percent = if inv.customer.country.is_eu() {
            Decimal::new(15, 1)
        } else {
            Decimal::new(325, 2)
        };
        items.push(SettlementItem {
            id: ids.stripe("txn"),
            kind: ItemKind::Charge,
            occurred_at: inv.paid_at,
            gross,
            fee: fee_of(gross, percent, 180),
            fee_vat: 0,
            order: None,
            invoice: Some(idx),
            reference: Some(inv.charge_id.clone()),
            original,
            exchange_rate,
        });
    }
    // A card payment of an invoice issued in the shop's accounting program, not in Stripe.
    let paid = period.start_utc() + Duration::days(12) + Duration::hours(9);
    items.push(SettlementItem {
        id: ids.stripe("txn"),
        kind: ItemKind::Charge,
        occurred_at: paid,
        gross: 312_500,
        fee: fee_of(312_500, Decimal::new(15, 1), 180),
        fee_vat: 0,
        order: None,
        invoice: None,
        reference: Some("Faktura 2026-117".to_owned()),
        original: None,
        exchange_rate: None,
    });
    // Stripe Billing's monthly fee, taken from the balance on its own line.
    items.push(SettlementItem {
        id: ids.stripe("txn"),
        kind: ItemKind::Fee,
        occurred_at: period.start_utc() + Duration::days(20),
        gross: 0,
        fee: 4_870,
        fee_vat: 0,
        order: None,
        invoice: None,
        reference: Some("Billing - Usage Fee".to_owned()),
        original: None,
        exchange_rate: None,
    });
    // A card payment disputed as fraudulent nine days later, lost when its
    // evidence is due ([`STRIPE_DISPUTE_DECIDED_AFTER`]): the first SEK
    // invoice paid. Its id is derived from the charge's, so the ids drawn
    // after it are the same as without it.
    if let Some((idx, inv)) = invoices
        .iter()
        .enumerate()
        .filter(|(_, i)| i.currency == Currency::SEK)
        .min_by_key(|(_, i)| i.paid_at)
    {
        let suffix: String = inv
            .charge_id
            .chars()
            .skip(3)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        items.push(SettlementItem {
            id: format!("txn_{suffix}"),
            kind: ItemKind::Dispute,
            occurred_at: inv.paid_at + STRIPE_DISPUTE_OPENED_AFTER,
            gross: -inv.total(),
            fee: 20_000,
            fee_vat: 0,
            order: None,
            invoice: Some(idx),
            reference: Some(inv.charge_id.clone()),
            original: None,
            exchange_rate: None,
        });
    }
    group_payouts(items, 2, 7, |_| ids.stripe("po"))
}

/// How long after its payment the sandbox's Stripe dispute opens (the
/// `dispute` balance transaction withdraws the amount then).
pub const STRIPE_DISPUTE_OPENED_AFTER: Duration = Duration::days(9);

/// How long after it opens the sandbox's Stripe dispute is lost: the shop
/// submits no evidence, and the dispute closes as lost when the evidence
/// is due (`charge.dispute.closed`, `status: lost`).
pub const STRIPE_DISPUTE_DECIDED_AFTER: Duration = Duration::days(21);

fn paypal(
    orders: &[Order],
    ids: &mut Ids,
    period: Period,
    boundary: &[BoundaryCase],
) -> PayPalAccount {
    let mut txns: Vec<PayPalTransaction> = Vec::new();
    for (idx, o) in orders.iter().enumerate() {
        // The boundary receipt lands on the balance five minutes after the
        // sale, the boundary refund five minutes after Shopify's refund.
        // PayPal dates each transaction itself (Transaction Search's
        // `transaction_initiation_date`, reporting_transactions_v1.json), and
        // a refund is its own object with its own status, `PENDING` until
        // PayPal completes it
        // (<https://developer.paypal.com/api/payments/v2/definitions/refund_status>).
        let is_case = |kind| {
            boundary
                .iter()
                .any(|c| c.kind == kind && c.order == Some(idx))
        };
        let delay = if is_case(BoundaryKind::PayPalReceiptAfterMidnight) {
            Duration::minutes(5)
        } else {
            Duration::ZERO
        };
        let refund_delay = if is_case(BoundaryKind::PayPalRefundAfterMidnight) {
            Duration::minutes(5)
        } else {
            Duration::ZERO
        };
        // An authorization moves no money, and the client lists only
        // records that change the balance (`balance_affecting_records_only=Y`).
        for t in o
            .transactions
            .iter()
            .filter(|t| t.gateway == Gateway::PayPal && t.kind.moves_money())
        {
            // PayPal Sweden: 3.4 % + 3.50 kr, no VAT.
            let fee = fee_of(t.amount, Decimal::new(34, 1), 350);
            let id = ids.upper(17);
            txns.push(PayPalTransaction {
                id: id.clone(),
                event_code: "T0006",
                initiated_at: t.processed_at + delay,
                currency: Currency::SEK,
                gross: t.amount,
                fee: -fee,
                balance_after: 0,
                payer: Some((o.email.clone(), format!("Kund {}", o.name))),
                invoice_id: Some(o.name.clone()),
                reference_id: None,
                order: Some(idx),
            });
            for r in o
                .refunds
                .iter()
                .filter(|r| r.transaction.gateway == Gateway::PayPal)
            {
                txns.push(PayPalTransaction {
                    id: ids.upper(17),
                    event_code: "T1107",
                    initiated_at: r.created_at + refund_delay,
                    currency: Currency::SEK,
                    gross: -r.transaction.amount,
                    // PayPal gives back the percentage part of the fee, pro rata.
                    fee: fee_of(r.transaction.amount, Decimal::new(34, 1), 0),
                    balance_after: 0,
                    payer: Some((o.email.clone(), format!("Kund {}", o.name))),
                    invoice_id: Some(o.name.clone()),
                    reference_id: Some(id.clone()),
                    order: Some(idx),
                });
            }
        }
    }
    // At each month end, PayPal holds a payment of the month for a buyer's
    // dispute the day before the month ends and releases it two days into
    // the next month: "Hold on Balance for Dispute Investigation" (T1110)
    // and "Cancellation of Hold for Dispute Resolution" (T1111), which move
    // the money between the available and the withheld balance
    // (developer.paypal.com/docs/transaction-search/transaction-event-codes/;
    // `balance_detail` in reporting_transactions_v1.json).
    for end in month_ends(period) {
        let held = txns
            .iter()
            .filter(|t| {
                t.event_code == "T0006"
                    && t.currency == Currency::SEK
                    && t.order.is_some()
                    && t.initiated_at < end - Duration::days(1)
                    && t.initiated_at >= end - Duration::days(20)
            })
            .max_by_key(|t| t.initiated_at)
            .cloned();
        let Some(held) = held else { continue };
        for (code, at, gross) in [
            ("T1110", end - Duration::hours(20), -held.gross),
            (
                "T1111",
                end + Duration::days(2) + Duration::hours(10),
                held.gross,
            ),
        ] {
            txns.push(PayPalTransaction {
                id: ids.upper(17),
                event_code: code,
                initiated_at: at,
                gross,
                fee: 0,
                reference_id: Some(held.id.clone()),
                // The hold settles no sale.
                order: None,
                ..held.clone()
            });
        }
    }
    let start = period.start_utc();
    // A EUR payment whose sale is not in Shopify, converted to SEK two days later.
    let eur_payment = ids.upper(17);
    let eur_gross = 4_500;
    let eur_fee = fee_of(eur_gross, Decimal::new(34, 1), 35);
    txns.push(PayPalTransaction {
        id: eur_payment.clone(),
        event_code: "T0006",
        initiated_at: start + Duration::days(14) + Duration::hours(16),
        currency: Currency::EUR,
        gross: eur_gross,
        fee: -eur_fee,
        balance_after: 0,
        payer: Some((
            "hans.mueller@example.de".to_owned(),
            "Hans Müller".to_owned(),
        )),
        invoice_id: None,
        reference_id: None,
        order: None,
    });
    let converted_eur = eur_gross - eur_fee;
    let sek = (Decimal::from(converted_eur) * Decimal::new(112_150, 4))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let conv_at = start + Duration::days(16) + Duration::hours(10);
    let conv_from = ids.upper(17);
    let conv_to = ids.upper(17);
    txns.push(PayPalTransaction {
        id: conv_from.clone(),
        event_code: "T0200",
        initiated_at: conv_at,
        currency: Currency::EUR,
        gross: -converted_eur,
        fee: 0,
        balance_after: 0,
        payer: None,
        invoice_id: None,
        reference_id: Some(conv_to.clone()),
        order: None,
    });
    txns.push(PayPalTransaction {
        id: conv_to,
        event_code: "T0200",
        initiated_at: conv_at,
        currency: Currency::SEK,
        gross: i64::try_from(sek).expect("fits"),
        fee: 0,
        balance_after: 0,
        payer: None,
        invoice_id: None,
        reference_id: Some(conv_from),
        order: None,
    });
    txns.sort_by(|a, b| a.initiated_at.cmp(&b.initiated_at).then(a.id.cmp(&b.id)));

    let opening = vec![(Currency::SEK, 250_000), (Currency::EUR, 12_000)];
    // A withdrawal to the bank near the end of the month: everything above 1 000 kr.
    let before_withdrawal: i64 = opening[0].1
        + txns
            .iter()
            .filter(|t| t.currency == Currency::SEK)
            .map(|t| t.gross + t.fee)
            .sum::<i64>();
    let withdrawal = (before_withdrawal - 100_000).max(0);
    if withdrawal > 0 {
        txns.push(PayPalTransaction {
            id: ids.upper(17),
            event_code: "T0400",
            initiated_at: period.end_utc() - Duration::hours(30),
            currency: Currency::SEK,
            gross: -withdrawal,
            fee: 0,
            balance_after: 0,
            payer: None,
            invoice_id: None,
            reference_id: None,
            order: None,
        });
        txns.sort_by(|a, b| a.initiated_at.cmp(&b.initiated_at).then(a.id.cmp(&b.id)));
    }
    let mut balances = opening.clone();
    for t in &mut txns {
        let b = balances
            .iter_mut()
            .find(|(c, _)| *c == t.currency)
            .expect("every currency has an opening balance");
        b.1 += t.gross + t.fee;
        t.balance_after = b.1;
    }
    PayPalAccount {
        account_id: "7QWERTY2ASDFG".to_owned(),
        opening,
        transactions: txns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn scenario() -> Scenario {
        Scenario::generate(&ScenarioConfig::small(
            Period::month(2026, Month::March).unwrap(),
        ))
    }

    #[test]
    fn is_deterministic_from_the_seed() {
        assert_eq!(scenario(), scenario());
        let mut other = ScenarioConfig::small(Period::month(2026, Month::March).unwrap());
        other.seed = 7;
        assert_ne!(Scenario::generate(&other).orders, scenario().orders);
    }

    #[test]
    fn orders_add_up() {
        let s = scenario();
        assert_eq!(s.orders.len(), 60);
        for o in &s.orders {
            let paid: i64 = o.transactions.iter().map(|t| t.amount).sum();
            assert_eq!(paid, o.total(), "order {}", o.name);
            assert!(s.config.period.contains(o.processed_at));
        }
        // Every special case is present.
        assert!(s.orders.iter().any(|o| o.discount_code.is_some()));
        assert!(s.orders.iter().any(|o| o.lines.iter().any(|l| l.gift_card)));
        assert!(s.orders.iter().any(|o| {
            o.transactions
                .iter()
                .any(|t| t.gateway == Gateway::GiftCard)
        }));
        assert!(s.orders.iter().any(|o| matches!(o.tax, OrderTax::Oss(_))));
        assert!(s.orders.iter().any(|o| o.gateway() == Gateway::Manual));
        assert!(s.orders.iter().any(|o| o.disputed));
        assert!(s.orders.iter().any(|o| !o.refunds.is_empty()));
    }

    #[test]
    fn march_food_is_12_percent_and_april_food_6() {
        let d = |m, day| Date::from_calendar_date(2026, m, day).unwrap();
        assert_eq!(swedish_food_rate(d(Month::March, 31)), Decimal::from(12));
        assert_eq!(swedish_food_rate(d(Month::April, 1)), Decimal::from(6));
    }

    #[test]
    fn payouts_are_the_sum_of_their_items() {
        let s = scenario();
        for p in s
            .shopify_payouts
            .iter()
            .chain(&s.klarna_payouts)
            .chain(&s.stripe_payouts)
        {
            assert_eq!(
                p.amount(),
                p.items.iter().map(|i| i.gross - i.fee).sum::<i64>()
            );
            assert!(!p.items.is_empty());
        }
        let card_payments: i64 = s
            .orders
            .iter()
            .flat_map(|o| &o.transactions)
            .filter(|t| t.gateway == Gateway::ShopifyPayments)
            .map(|t| t.amount)
            .sum();
        let settled: i64 = s
            .shopify_payouts
            .iter()
            .flat_map(|p| &p.items)
            .filter(|i| i.kind == ItemKind::Charge)
            .map(|i| i.gross)
            .sum();
        assert_eq!(card_payments, settled);
    }

    #[test]
    fn paypal_balances_run() {
        let s = scenario();
        let mut sek = 250_000;
        for t in s
            .paypal
            .transactions
            .iter()
            .filter(|t| t.currency == Currency::SEK)
        {
            sek += t.gross + t.fee;
            assert_eq!(t.balance_after, sek);
        }
        assert_eq!(s.paypal.closing(Currency::SEK), sek);
        assert!(
            s.paypal
                .transactions
                .iter()
                .any(|t| t.event_code == "T0200")
        );
        assert!(
            s.paypal
                .transactions
                .iter()
                .any(|t| t.event_code == "T0400")
        );
    }
}
