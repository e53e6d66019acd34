//! The EC sales list (periodisk sammanställning): sales without Swedish VAT
//! to businesses in other member states, per month and customer VAT number,
//! in SEK; as CSV and as Skatteverket's SKV 574008 file.

use std::collections::BTreeMap;
use std::io;

use bookkeeping_core::bounds::Bounded;
use bookkeeping_core::{
    Currency, LineKind, Period, ReviewItem, ReviewReason, SalesRecord, SourceRef, TaxTreatment,
    stockholm_date,
};
use journal_mapping::ExchangeRates;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::{ReturnPeriod, eu_vat_number};

/// One customer's line for a month: the values of goods, triangular trade
/// and services, SEK, `None` where the month had none of that kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcSalesRow {
    /// The month.
    pub month: ReturnPeriod,
    /// The customer's VAT number, normalized (`FI20774740`).
    pub vat_number: String,
    /// Goods delivered to another member state (varuleveranser), SEK.
    pub goods_sek: Option<Decimal>,
    /// Triangular trade as intermediary (trepartshandel), SEK. The providers
    /// never say a sale is one, so kassabok reports none.
    pub triangular_sek: Option<Decimal>,
    /// Services under the main rule (tjänster enligt huvudregeln), SEK.
    pub services_sek: Option<Decimal>,
    /// Sales and credits in the line.
    pub documents: usize,
}

/// The EC sales list of a period's months, with the sales that could not go
/// in it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EcSalesList {
    /// Lines, by month and VAT number.
    pub rows: Vec<EcSalesRow>,
    /// Sales that cannot be listed (no valid-looking VAT number, no
    /// exchange rate): the list must not silently miss them.
    pub review: Vec<ReviewItem>,
}

/// The person Skatteverket asks about the list, and the reporting business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkvReporter {
    /// The reporting business's 12-digit VAT number, with or without `SE`
    /// (`SE556677889901`).
    pub vat_number: String,
    /// The person responsible (at most 35 characters).
    pub contact_name: String,
    /// Their telephone number: digits, one hyphen after the area code, or
    /// `+` first for a foreign number (at most 17 characters).
    pub phone: String,
    /// Their e-mail address (optional).
    pub email: Option<String>,
}

impl SkvReporter {
    /// The VAT number of a Swedish company from its organisation number:
    /// `SE` + the ten digits + `01`.
    pub fn vat_number_from_org_nr(org_nr: &str) -> Option<String> {
        let digits: String = org_nr.chars().filter(char::is_ascii_digit).collect();
        (digits.len() == 10 && org_nr.chars().all(|c| c.is_ascii_digit() || c == '-'))
            .then(|| format!("SE{digits}01"))
    }
}

/// A field that cannot go in the SKV 574008 file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("EC sales list file: {field}: {message}")]
pub struct SkvError {
    /// The field.
    pub field: &'static str,
    /// Why.
    pub message: String,
}

fn skv_err(field: &'static str, message: impl Into<String>) -> SkvError {
    SkvError {
        field,
        message: message.into(),
    }
}

#[derive(Debug, Default)]
struct Acc {
    goods: Option<Decimal>,
    services: Option<Decimal>,
    documents: std::collections::BTreeSet<SourceRef>,
}

fn add(slot: &mut Option<Decimal>, amount: Decimal) {
    *slot = Some(slot.unwrap_or_default() + amount);
}

impl EcSalesList {
    /// The reverse-charge lines (`EuB2bReverseCharge`) of the sales and
    /// refunds in `records` that fall in `period`, per month and customer
    /// VAT number. Net amounts are converted to SEK at `rates` at the rate
    /// the journal books them at, and rounded to the öre per document: a
    /// sale's on its own date; a refund, a negative amount in its own month,
    /// at its sale's date's rate (the sale's in `records`, else
    /// [`Refund::sale_occurred_at`](bookkeeping_core::Refund::sale_occurred_at)),
    /// since a credit reduces what was reported for the sale in the SEK it
    /// was reported in; at its own date's when neither is known.
    /// Goods, shipping, discounts and other charges count as goods; services
    /// as services.
    pub fn build(
        period: Period,
        records: &[SalesRecord],
        rates: &impl ExchangeRates,
    ) -> EcSalesList {
        let mut acc: BTreeMap<(ReturnPeriod, String), Acc> = BTreeMap::new();
        let mut review = Vec::new();
        let reverse_charge =
            |l: &bookkeeping_core::SaleLine| l.treatment == TaxTreatment::EuB2bReverseCharge;
        let sale_days = crate::SaleDays::of(records);
        for r in crate::listed_once(records, reverse_charge) {
            let (source, doc, occurred_at, currency, lines, customer, sign, rate_day) = match r {
                SalesRecord::Sale(s) if !s.test => (
                    &s.source,
                    &s.document_number,
                    s.occurred_at,
                    s.currency,
                    &s.lines,
                    &s.customer,
                    Decimal::ONE,
                    None,
                ),
                SalesRecord::Refund(f) => (
                    &f.source,
                    &f.document_number,
                    f.occurred_at,
                    f.currency,
                    &f.lines,
                    &f.customer,
                    Decimal::NEGATIVE_ONE,
                    sale_days.of_refund(f),
                ),
                _ => continue,
            };
            let date = stockholm_date(occurred_at);
            if !period.contains_date(date) {
                continue;
            }
            let unbookable = match r {
                SalesRecord::Sale(s) => s.unbookable_review(),
                SalesRecord::Refund(f) => f.unbookable_review(),
                _ => None,
            };
            if let Some(item) = unbookable {
                review.push(item);
                continue;
            }
            let listed: Vec<_> = lines
                .iter()
                .filter(|l| l.treatment == TaxTreatment::EuB2bReverseCharge)
                .collect();
            if listed.is_empty() {
                continue;
            }
            let item = |message: String, reason: ReviewReason| {
                ReviewItem::new(source.provider, reason, message).with_source(source.clone())
            };
            let vat_number = match customer
                .vat_number
                .as_deref()
                .map(|v| eu_vat_number(v, customer.country))
            {
                Some(Ok(v)) => v,
                Some(Err(why)) => {
                    review.push(
                        item(
                            format!("{doc}: sold to an EU business without Swedish VAT, but {why}: not in the EC sales list"),
                            ReviewReason::TaxTreatment,
                        )
                        .with_field("customer.vat_number"),
                    );
                    continue;
                }
                None => {
                    review.push(
                        item(
                            format!("{doc}: sold to an EU business without Swedish VAT, but the customer has no VAT number: not in the EC sales list"),
                            ReviewReason::TaxTreatment,
                        )
                        .with_field("customer.vat_number"),
                    );
                    continue;
                }
            };
            // As the journal: the sale's rate, else the document's own.
            let rate = rate_day
                .and_then(|day| sek_rate(rates, currency, day))
                .or_else(|| sek_rate(rates, currency, date));
            let Some(rate) = rate else {
                review.push(item(
                    format!("{doc}: no {currency} rate for {date}: not in the EC sales list"),
                    ReviewReason::Currency,
                ));
                continue;
            };
            let mut goods = None;
            let mut services = None;
            for l in listed {
                let amount = l.net.amount() * rate * sign;
                match l.kind {
                    LineKind::Service => add(&mut services, amount),
                    LineKind::Goods | LineKind::Shipping | LineKind::Discount | LineKind::Other => {
                        add(&mut goods, amount)
                    }
                    other => review.push(item(
                        format!("{doc}: a {other:?} line sold with reverse charge: not in the EC sales list"),
                        ReviewReason::TaxTreatment,
                    )),
                }
            }
            let a = acc
                .entry((ReturnPeriod::month_of(date), vat_number))
                .or_default();
            let round =
                |d: Decimal| d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            if let Some(g) = goods {
                add(&mut a.goods, round(g));
            }
            if let Some(s) = services {
                add(&mut a.services, round(s));
            }
            a.documents.insert(source.clone());
        }
        let mut rows = Vec::new();
        for ((month, vat_number), a) in acc {
            if a.goods.is_none() && a.services.is_none() {
                continue;
            }
            // A total Skatteverket's file cannot hold (over 12 characters)
            // would stop the whole file: the line goes to review instead,
            // with every document in it, and the rest of the list is filed.
            if let Some(total) = [a.goods, a.services]
                .into_iter()
                .flatten()
                .find(|v| skv_kronor(*v).is_err())
            {
                for source in &a.documents {
                    review.push(
                        ReviewItem::new(
                            source.provider,
                            ReviewReason::Other,
                            format!(
                                "{vat_number} in {month}: the total {total:.2} SEK is too large for Skatteverket's EC sales list file (12 characters): not in the EC sales list"
                            ),
                        )
                        .with_source(source.clone()),
                    );
                }
                continue;
            }
            rows.push(EcSalesRow {
                month,
                vat_number,
                goods_sek: a.goods,
                triangular_sek: None,
                services_sek: a.services,
                documents: a.documents.len(),
            });
        }
        EcSalesList { rows, review }
    }

    /// The months the list has lines for.
    pub fn months(&self) -> Vec<ReturnPeriod> {
        let mut m: Vec<_> = self.rows.iter().map(|r| r.month).collect();
        m.dedup();
        m
    }

    /// Writes the lines as CSV (comma-separated, UTF-8, a header row):
    /// `month,customer_vat_number,goods_sek,triangular_trade_sek,services_sek,documents`;
    /// an empty cell where the month had nothing of that kind.
    ///
    /// # Errors
    /// Errors of the writer.
    pub fn to_csv(&self, out: impl io::Write) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "month",
            "customer_vat_number",
            "goods_sek",
            "triangular_trade_sek",
            "services_sek",
            "documents",
        ])?;
        let cell = |v: Option<Decimal>| v.map(|d| format!("{d:.2}")).unwrap_or_default();
        for r in &self.rows {
            w.write_record([
                r.month.to_string(),
                r.vat_number.clone(),
                cell(r.goods_sek),
                cell(r.triangular_sek),
                cell(r.services_sek),
                r.documents.to_string(),
            ])?;
        }
        w.flush()?;
        Ok(())
    }

    /// The month's list in Skatteverket's file format for the
    /// Filöverföring e-service: line 1 `SKV574008;`, line 2 the reporter's
    /// VAT number, the period code (`2603`), contact name, telephone and
    /// e-mail; then one line per customer: VAT number, goods, triangular
    /// trade, services, each in whole kronor (rounded half away from zero,
    /// a minus sign for a credit), empty where there was none, `0` where
    /// the month's sales and credits cancel out, every line ending in `;`.
    /// Lines end in CR LF.
    ///
    /// # Errors
    /// A reporter field Skatteverket would refuse (a VAT number that is not
    /// 12 digits, a name over 35 characters, a telephone number with other
    /// characters, a `;` or line break anywhere), or an amount over 12
    /// characters.
    ///
    /// ```
    /// use bookkeeping_core::*;
    /// use journal_mapping::FixedRates;
    /// use rust_decimal::Decimal;
    /// use time::{Month, macros::datetime};
    /// use vat_reports::{EcSalesList, ReturnPeriod, SkvReporter};
    ///
    /// // Goods sold to a German business, reverse charge: on the list, in whole kronor.
    /// let sale = Sale {
    ///     source: SourceRef::new(Provider::Stripe, "invoice", "in_1"),
    ///     document_number: "F-1001".into(),
    ///     occurred_at: datetime!(2026-03-10 12:00 UTC),
    ///     currency: Currency::SEK,
    ///     lines: vec![SaleLine {
    ///         kind: LineKind::Goods,
    ///         description: "Kaffe".into(),
    ///         net: Money::parse("12500.50", Currency::SEK)?,
    ///         vat: Money::parse("0.00", Currency::SEK)?,
    ///         vat_rate: None,
    ///         treatment: TaxTreatment::EuB2bReverseCharge,
    ///     }],
    ///     customer: Customer {
    ///         country: Some(CountryCode::new("DE")?),
    ///         vat_number: Some("DE 123 456 789".into()),
    ///     },
    ///     payments: vec![],
    ///     test: false,
    /// };
    /// let march = Period::month(2026, Month::March)?;
    /// let list = EcSalesList::build(march, &[SalesRecord::Sale(sale)], &FixedRates::new());
    /// let reporter = SkvReporter {
    ///     vat_number: "SE556677889901".into(),
    ///     contact_name: "Eva Ek".into(),
    ///     phone: "08-123456".into(),
    ///     email: None,
    /// };
    /// let file = list.to_skv574008(ReturnPeriod::Month { year: 2026, month: 3 }, &reporter)?;
    /// assert!(file.starts_with("SKV574008;\r\nSE556677889901;2603;Eva Ek;08-123456;"));
    /// assert!(file.ends_with("DE123456789;12501;;;\r\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_skv574008(
        &self,
        month: ReturnPeriod,
        reporter: &SkvReporter,
    ) -> Result<String, SkvError> {
        let clean = |field: &'static str, v: &str| -> Result<String, SkvError> {
            let v = v.trim();
            if v.contains([';', '\n', '\r']) || v.chars().any(char::is_control) {
                return Err(skv_err(
                    field,
                    format!("{v:?} has a ';', a line break or a control character"),
                ));
            }
            Ok(v.to_owned())
        };
        let vat = clean("vat_number", &reporter.vat_number)?;
        let digits = vat.strip_prefix("SE").unwrap_or(&vat);
        if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(skv_err(
                "vat_number",
                format!("{vat:?} is not SE and 12 digits"),
            ));
        }
        let name = clean("contact_name", &reporter.contact_name)?;
        if name.is_empty() || name.chars().count() > 35 {
            return Err(skv_err("contact_name", "1 to 35 characters"));
        }
        let phone = clean("phone", &reporter.phone)?;
        let phone_ok = !phone.is_empty()
            && phone.len() <= 17
            && if let Some(rest) = phone.strip_prefix('+') {
                rest.chars().all(|c| c.is_ascii_digit())
            } else {
                phone.chars().filter(|c| *c == '-').count() <= 1
                    && phone.chars().all(|c| c.is_ascii_digit() || c == '-')
                    && !phone.starts_with('-')
                    && !phone.ends_with('-')
            };
        if !phone_ok {
            return Err(skv_err(
                "phone",
                format!(
                    "{phone:?}: digits with a hyphen after the area code, or + and digits, at most 17"
                ),
            ));
        }
        let email = reporter
            .email
            .as_deref()
            .map(|e| clean("email", e))
            .transpose()?;
        let mut out = String::from("SKV574008;\r\n");
        out.push_str(&format!(
            "{vat};{};{name};{phone};{}\r\n",
            month.skv_code(),
            email.unwrap_or_default()
        ));
        let kronor = |v: Option<Decimal>| v.map_or(Ok(String::new()), skv_kronor);
        for r in self.rows.iter().filter(|r| r.month == month) {
            out.push_str(&format!(
                "{};{};{};{};\r\n",
                r.vat_number,
                kronor(r.goods_sek)?,
                kronor(r.triangular_sek)?,
                kronor(r.services_sek)?
            ));
        }
        Ok(out)
    }
}

/// An amount in whole kronor for the SKV 574008 file: rounded half away
/// from zero, `0` for a total that rounds to nothing.
///
/// # Errors
/// A text over 12 characters, which the file cannot hold.
fn skv_kronor(v: Decimal) -> Result<String, SkvError> {
    let s = v
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string();
    let s = if s == "-0" { "0".to_owned() } else { s };
    if s.len() > 12 {
        return Err(skv_err(
            "amount",
            format!("{s} is longer than 12 characters"),
        ));
    }
    Ok(s)
}

fn sek_rate(rates: &impl ExchangeRates, currency: Currency, date: Date) -> Option<Decimal> {
    if currency == Currency::SEK {
        Some(Decimal::ONE)
    } else {
        rates.sek_per_unit(currency, date)
    }
}
