//! The OSS return (unionsordningen): EU consumer sales taxed in the buyer's
//! country, per member state and VAT rate, in euro.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use bookkeeping_core::bounds::Bounded;
use bookkeeping_core::{
    CountryCode, Currency, Period, Provider, ReviewItem, ReviewReason, SaleLine, SalesRecord,
    SourceRef, TaxTreatment, VatRate, stockholm_date,
};
use journal_mapping::EuroRates;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::ReturnPeriod;

/// One line of the OSS return: the taxable amount and the VAT of a member
/// state and rate, in euro, for a month or a quarter; or the correction of an
/// earlier period's line (a refund of a sale declared before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OssRow {
    /// The return the line belongs to.
    pub period: ReturnPeriod,
    /// For a correction, the earlier period it corrects; `None` for the
    /// period's own supplies (refunds of sales of the same period included).
    pub corrects: Option<ReturnPeriod>,
    /// The member state of consumption.
    pub country: CountryCode,
    /// Its VAT rate.
    pub vat_rate: VatRate,
    /// Taxable amount, EUR (negative for a correction that gives back).
    pub taxable_eur: Decimal,
    /// VAT, EUR.
    pub vat_eur: Decimal,
    /// The ECB rates used, one per original currency.
    pub rates: Vec<EurRate>,
    /// Sales and refunds in the line.
    pub documents: usize,
}

/// An ECB rate the return used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EurRate {
    /// The currency converted.
    pub currency: Currency,
    /// Units of it per euro.
    pub per_eur: Decimal,
    /// The day the ECB published it (the period's last day or the next
    /// publication).
    pub published: Date,
}

/// The OSS return's lines for the months of a period and the quarters that
/// lie entirely in it, with what could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OssReport {
    /// Lines: months first, then quarters; supplies before corrections.
    pub rows: Vec<OssRow>,
    /// Lines that could not be reported (no rate, no VAT rate, a refund whose
    /// sale is unknown).
    pub review: Vec<ReviewItem>,
}

/// One OSS line of a sale or refund, signed, in its document's currency.
#[derive(Debug, Clone)]
struct Entry {
    date: Date,
    /// The date of the sale (for a refund, of the sale it refunds).
    origin: Date,
    country: CountryCode,
    rate: VatRate,
    currency: Currency,
    net: Decimal,
    vat: Decimal,
    document: SourceRef,
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn review(provider: Provider, source: &SourceRef, message: String) -> ReviewItem {
    ReviewItem::new(provider, ReviewReason::TaxTreatment, message).with_source(source.clone())
}

fn oss_lines<'a>(
    lines: &'a [SaleLine],
    source: &SourceRef,
    review_out: &mut Vec<ReviewItem>,
) -> impl Iterator<Item = (CountryCode, VatRate, &'a SaleLine)> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if let TaxTreatment::EuOss { country } = &l.treatment {
            match l.vat_rate {
                Some(rate) => out.push((*country, rate, l)),
                None => review_out.push(
                    review(
                        source.provider,
                        source,
                        format!(
                            "OSS line {} ({}) has no VAT rate: not in the OSS return",
                            i + 1,
                            l.description
                        ),
                    )
                    .with_field(format!("lines[{i}].vat_rate")),
                ),
            }
        }
    }
    out.into_iter()
}

fn entries(
    period: Period,
    records: &[SalesRecord],
    review_out: &mut Vec<ReviewItem>,
) -> Vec<Entry> {
    let sale_days = crate::SaleDays::of(records);
    let mut out = Vec::new();
    let oss = |l: &SaleLine| matches!(l.treatment, TaxTreatment::EuOss { .. });
    for r in crate::listed_once(records, oss) {
        match r {
            SalesRecord::Sale(s) if !s.test => {
                let date = stockholm_date(s.occurred_at);
                if !period.contains_date(date) {
                    continue;
                }
                if let Some(item) = s.unbookable_review() {
                    review_out.push(item);
                    continue;
                }
                for (country, rate, l) in oss_lines(&s.lines, &s.source, review_out) {
                    out.push(Entry {
                        date,
                        origin: date,
                        country,
                        rate,
                        currency: s.currency,
                        net: l.net.amount(),
                        vat: l.vat.amount(),
                        document: s.source.clone(),
                    });
                }
            }
            SalesRecord::Refund(refund) => {
                let date = stockholm_date(refund.occurred_at);
                if !period.contains_date(date) {
                    continue;
                }
                if let Some(item) = refund.unbookable_review() {
                    review_out.push(item);
                    continue;
                }
                let lines: Vec<_> = oss_lines(&refund.lines, &refund.source, review_out).collect();
                if lines.is_empty() {
                    continue;
                }
                // The sale's date: from the sale when it is among the
                // records, else as the refund carries it (a refund of an
                // earlier month's sale, which a month's records do not hold).
                let origin = sale_days.of_refund(refund);
                let Some(origin) = origin else {
                    review_out.push(review(
                        refund.source.provider,
                        &refund.source,
                        format!(
                            "refund {} of OSS sale {}: neither the sale nor its date is in the data, so the period it corrects is unknown; not in the OSS return",
                            refund.document_number, refund.sale
                        ),
                    ));
                    continue;
                };
                for (country, rate, l) in lines {
                    out.push(Entry {
                        date,
                        origin,
                        country,
                        rate,
                        currency: refund.currency,
                        net: -l.net.amount(),
                        vat: -l.vat.amount(),
                        document: refund.source.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The returns a period reports: each month it touches, and each quarter
/// entirely inside it.
fn returns_of(period: Period) -> Vec<ReturnPeriod> {
    let mut months = BTreeSet::new();
    let mut quarters = BTreeSet::new();
    let mut d = period.first();
    while d <= period.last() {
        months.insert(ReturnPeriod::month_of(d));
        let q = ReturnPeriod::quarter_of(d);
        if period.contains_date(q.first_day()) && period.contains_date(q.last_day()) {
            quarters.insert(q);
        }
        d = ReturnPeriod::month_of(d)
            .last_day()
            .next_day()
            .unwrap_or(Date::MAX);
    }
    months.into_iter().chain(quarters).collect()
}

type GroupKey = (ReturnPeriod, Option<ReturnPeriod>, CountryCode, VatRate);

#[derive(Debug, Default)]
struct Group {
    /// Per currency: net, VAT.
    sums: BTreeMap<Currency, (Decimal, Decimal)>,
    documents: BTreeSet<SourceRef>,
}

fn groups(period: Period, entries: &[Entry]) -> BTreeMap<GroupKey, Group> {
    let mut out: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for ret in returns_of(period) {
        let of = |d: Date| match ret {
            ReturnPeriod::Month { .. } => ReturnPeriod::month_of(d),
            ReturnPeriod::Quarter { .. } => ReturnPeriod::quarter_of(d),
        };
        for e in entries.iter().filter(|e| of(e.date) == ret) {
            let origin = of(e.origin);
            let corrects = (origin < ret).then_some(origin);
            let g = out.entry((ret, corrects, e.country, e.rate)).or_default();
            let s = g.sums.entry(e.currency).or_default();
            s.0 += e.net;
            s.1 += e.vat;
            g.documents.insert(e.document.clone());
        }
    }
    out
}

impl OssReport {
    /// The ECB rates (currency, last day of a period) the report for
    /// `period` needs: a host fetches them before [`build`](OssReport::build)
    /// (`EcbRates::oss_rate`). EUR needs none.
    pub fn rates_needed(period: Period, records: &[SalesRecord]) -> BTreeSet<(Currency, Date)> {
        let entries = entries(period, records, &mut Vec::new());
        groups(period, &entries)
            .into_iter()
            .flat_map(|((ret, corrects, _, _), g)| {
                let day = corrects.unwrap_or(ret).last_day();
                g.sums
                    .into_keys()
                    .filter(|c| *c != Currency::EUR)
                    .map(move |c| (c, day))
            })
            .collect()
    }

    /// The OSS lines of the sales and refunds in `records` that fall in
    /// `period`.
    ///
    /// Amounts are converted to euro at the ECB rate of the return period's
    /// last day (or the next publication); a correction of an earlier period
    /// at that period's rate, so that it cancels what was declared. A refund
    /// of a sale in an earlier period is a correction of that period; one of
    /// the same period reduces the period's own line. Sums per currency are
    /// rounded to the cent before they are added.
    pub fn build(period: Period, records: &[SalesRecord], ecb: &impl EuroRates) -> OssReport {
        let mut review = Vec::new();
        let entries = entries(period, records, &mut review);
        let mut rows = Vec::new();
        'group: for ((ret, corrects, country, vat_rate), g) in groups(period, &entries) {
            let day = corrects.unwrap_or(ret).last_day();
            let mut taxable = Decimal::ZERO;
            let mut vat = Decimal::ZERO;
            let mut rates = Vec::new();
            for (currency, (net, tax)) in &g.sums {
                let found = if *currency == Currency::EUR {
                    Some((day, Decimal::ONE))
                } else {
                    ecb.oss_rate(*currency, day)
                };
                let Some((published, per_eur)) = found else {
                    let first = g.documents.iter().next().expect("a group has a document");
                    review.push(review_no_rate(
                        first, *currency, day, ret, country, vat_rate,
                    ));
                    continue 'group;
                };
                taxable += round2(net / per_eur);
                vat += round2(tax / per_eur);
                if *currency != Currency::EUR {
                    rates.push(EurRate {
                        currency: *currency,
                        per_eur,
                        published,
                    });
                }
            }
            rows.push(OssRow {
                period: ret,
                corrects,
                country,
                vat_rate,
                taxable_eur: taxable,
                vat_eur: vat,
                rates,
                documents: g.documents.len(),
            });
        }
        rows.sort_by(|a, b| {
            (
                a.period.scope() == "quarter",
                a.period,
                a.corrects,
                a.country,
                a.vat_rate,
            )
                .cmp(&(
                    b.period.scope() == "quarter",
                    b.period,
                    b.corrects,
                    b.country,
                    b.vat_rate,
                ))
        });
        OssReport { rows, review }
    }

    /// Writes the lines as CSV (comma-separated, UTF-8, a header row):
    /// `scope,period,section,corrects_period,country,vat_rate,taxable_amount_eur,vat_eur,documents,ecb_rates`.
    ///
    /// # Errors
    /// Errors of the writer.
    pub fn to_csv(&self, out: impl io::Write) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record([
            "scope",
            "period",
            "section",
            "corrects_period",
            "country",
            "vat_rate",
            "taxable_amount_eur",
            "vat_eur",
            "documents",
            "ecb_rates",
        ])?;
        for r in &self.rows {
            let rates: Vec<String> = r
                .rates
                .iter()
                .map(|x| format!("{} {} per EUR ({})", x.currency, x.per_eur, x.published))
                .collect();
            w.write_record([
                r.period.scope().to_owned(),
                r.period.to_string(),
                if r.corrects.is_some() {
                    "correction"
                } else {
                    "supplies"
                }
                .to_owned(),
                r.corrects.map(|p| p.to_string()).unwrap_or_default(),
                r.country.to_string(),
                r.vat_rate.percent().to_string(),
                format!("{:.2}", r.taxable_eur),
                format!("{:.2}", r.vat_eur),
                r.documents.to_string(),
                rates.join("; "),
            ])?;
        }
        w.flush()?;
        Ok(())
    }
}

fn review_no_rate(
    document: &SourceRef,
    currency: Currency,
    day: Date,
    ret: ReturnPeriod,
    country: CountryCode,
    rate: VatRate,
) -> ReviewItem {
    ReviewItem::new(
        document.provider,
        ReviewReason::Currency,
        format!(
            "no ECB {currency} rate published on {day} or the days after: OSS line {ret} {country} {rate} not reported"
        ),
    )
    .with_source(document.clone())
}
