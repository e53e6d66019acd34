//! A voucher under construction: amounts summed per role and currency,
//! unrounded, until the voucher is finished.

use std::collections::BTreeMap;

use bookkeeping_core::{Currency, Money, Provider, ReviewItem, ReviewReason, Rounding, SourceRef};
use rust_decimal::Decimal;

use super::r2;
use crate::chart::{Chart, FeeCategory, Role};
use crate::policy::{FeeVatClass, Policy};
use crate::voucher::{Fnv, Posting, Voucher, VoucherId, VoucherKind, limit_text};

/// Where a draft goes: one voucher per key. Ordered by its fields in turn,
/// as a derived order would (see the `Ord` impl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftKey {
    pub(crate) date: time::Date,
    pub(crate) kind: VoucherKind,
    pub(crate) provider: Provider,
    /// A stable text telling vouchers of the same kind, day and provider
    /// apart (a document or payout id; empty for a day's sales).
    pub(crate) group: String,
}

impl Ord for DraftKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // A day's sales vouchers have no group: two empty groups are equal
        // without a call to compare their bytes (each sale's draft is found
        // in the map by this comparison, and comparing the empty texts was
        // a seventieth of booking an order). Any other pair compares as
        // `String` does, so the order is the derived one.
        (self.date, self.kind, self.provider)
            .cmp(&(other.date, other.kind, other.provider))
            .then_with(|| match (self.group.is_empty(), other.group.is_empty()) {
                (true, true) => std::cmp::Ordering::Equal,
                _ => self.group.cmp(&other.group),
            })
    }
}

impl PartialOrd for DraftKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Acc {
    sek: Decimal,
    foreign: Decimal,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub(crate) text: String,
    /// Amounts by role and currency, in the order first added: a voucher
    /// has a handful of them (a day's sales: a few rates' sales and VAT,
    /// a clearing account or two), found by a look along the list, cheaper
    /// than a map's ordered search with its comparisons of roles (1.2 % of
    /// a Shopify page's pipeline). [`finalize`](Self::finalize) orders them.
    postings: Vec<((Role, Currency), Acc)>,
    pub(crate) sources: Vec<SourceRef>,
    pub(crate) fee_classes: BTreeMap<(Provider, FeeCategory), FeeVatClass>,
}

impl Draft {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Draft {
            text: text.into(),
            ..Draft::default()
        }
    }

    /// Adds `foreign` (in `currency`) worth `sek` (unrounded) to `role`;
    /// debit positive.
    pub(crate) fn add(&mut self, role: Role, currency: Currency, foreign: Decimal, sek: Decimal) {
        if foreign.is_zero() && sek.is_zero() {
            return;
        }
        let acc = self.posting((role, currency));
        acc.sek += sek;
        acc.foreign += foreign;
    }

    /// The amounts of `key`, added (as zeros) if new.
    fn posting(&mut self, key: (Role, Currency)) -> &mut Acc {
        let at = match self.postings.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.postings.push((key, Acc::default()));
                self.postings.len() - 1
            }
        };
        &mut self.postings[at].1
    }

    /// Adds SEK only (FX differences, booked values).
    pub(crate) fn add_sek(&mut self, role: Role, sek: Decimal) {
        self.add(role, Currency::SEK, Decimal::ZERO, sek);
    }

    pub(crate) fn merge(&mut self, other: Draft) {
        for (k, v) in other.postings {
            let acc = self.posting(k);
            acc.sek += v.sek;
            acc.foreign += v.foreign;
        }
        self.sources.extend(other.sources);
        self.fee_classes.extend(other.fee_classes);
    }

    /// The voucher, the rounding residue booked on 3740 (if any), and review
    /// items for roles the chart has no account for. `None` when nothing is
    /// left to book.
    pub(crate) fn finalize(
        mut self,
        key: &DraftKey,
        chart: &Chart,
        policy: &Policy,
    ) -> (Option<Voucher>, Option<Decimal>, Vec<ReviewItem>) {
        let mut reviews = Vec::new();
        if key.kind == VoucherKind::Conversion {
            // The two sides of a conversion differ by the FX result.
            let sum: Decimal = self.postings.iter().map(|(_, a)| a.sek).sum();
            if !sum.is_zero() {
                self.add_sek(Role::FxGain, -sum);
            }
        }
        // Round per role and currency; FX nets per voucher to a gain or a loss.
        let mut rows: BTreeMap<(Role, Currency), (Decimal, Decimal)> = BTreeMap::new();
        let mut fx = Decimal::ZERO;
        for ((role, cur), acc) in &self.postings {
            if matches!(role, Role::FxGain | Role::FxLoss) {
                fx += acc.sek;
                continue;
            }
            let sek = r2(acc.sek);
            if sek.is_zero() {
                continue;
            }
            let e = rows.entry((*role, *cur)).or_default();
            e.0 += sek;
            e.1 += acc.foreign;
        }
        let fx = r2(fx);
        if !fx.is_zero() {
            let role = if fx.is_sign_positive() {
                Role::FxLoss
            } else {
                Role::FxGain
            };
            rows.insert((role, Currency::SEK), (fx, Decimal::ZERO));
        }
        let sum: Decimal = rows.values().map(|(s, _)| *s).sum();
        let residue = (!sum.is_zero()).then_some(-sum);
        if let Some(r) = residue {
            rows.entry((Role::Rounding, Currency::SEK)).or_default().0 += r;
        }
        let mut postings = Vec::with_capacity(rows.len());
        for ((role, cur), (sek, foreign)) in rows {
            if sek.is_zero() {
                continue;
            }
            let account = match chart.account(&role) {
                Some(a) => a,
                None => {
                    if let Some(src) = self.sources.first() {
                        reviews.push(
                            ReviewItem::new(
                                key.provider,
                                ReviewReason::VatRate,
                                format!(
                                    "the chart has no account for \"{}\"; booked on suspense",
                                    role.text()
                                ),
                            )
                            .with_source(src.clone())
                            .with_amount(Money::new(sek, Currency::SEK)),
                        );
                    }
                    chart
                        .account(&Role::Suspense)
                        .unwrap_or_else(|| "2999".to_owned())
                }
            };
            let mut text = role.text();
            if let Role::Fee { provider, category } = role
                && let Some(class) = self.fee_classes.get(&(provider, category))
            {
                text = format!("{text}, {}", class.label());
            }
            let mut amount = sek;
            amount.rescale(2);
            let foreign = (cur != Currency::SEK && !foreign.is_zero()).then(|| {
                let raw = Money::new(foreign, cur);
                // Informational; rounded to the currency's minor unit when known.
                raw.round(Rounding::MidpointAwayFromZero).unwrap_or(raw)
            });
            postings.push(Posting {
                account,
                role,
                amount,
                foreign,
                text: limit_text(&text, policy.text_limit),
            });
        }
        if postings.is_empty() {
            return (None, None, reviews);
        }
        postings.sort_by(|a, b| {
            (&a.account, a.role, a.foreign.map(|m| m.currency())).cmp(&(
                &b.account,
                b.role,
                b.foreign.map(|m| m.currency()),
            ))
        });
        self.sources.sort();
        self.sources.dedup();
        let mut h = Fnv::new();
        h.field(key.kind.as_str());
        h.field(key.provider.as_str());
        h.display_field(&key.date);
        h.field(&key.group);
        for s in &self.sources {
            h.display_field(s);
        }
        let voucher = Voucher {
            id: VoucherId(format!("{:016x}", h.finish())),
            kind: key.kind,
            provider: key.provider,
            series: policy.series.clone(),
            date: key.date,
            text: limit_text(&self.text, policy.text_limit),
            postings,
            sources: self.sources,
        };
        (Some(voucher), residue, reviews)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The keys order as their fields do in turn (the derived order the
    /// vouchers were always numbered by), empty groups included.
    #[test]
    fn keys_order_as_their_fields_in_turn() {
        let mut keys = Vec::new();
        for day in [date!(2026 - 03 - 01), date!(2026 - 03 - 02)] {
            for kind in [
                VoucherKind::SalesDay,
                VoucherKind::Sale,
                VoucherKind::Payout,
            ] {
                for provider in [Provider::Shopify, Provider::Stripe] {
                    for group in ["", "a", "ab", "b", "gid://shopify/Order/1"] {
                        keys.push(DraftKey {
                            date: day,
                            kind,
                            provider,
                            group: group.to_owned(),
                        });
                    }
                }
            }
        }
        let fields = |k: &DraftKey| (k.date, k.kind, k.provider, k.group.clone());
        for a in &keys {
            for b in &keys {
                assert_eq!(a.cmp(b), fields(a).cmp(&fields(b)), "{a:?} {b:?}");
                assert_eq!(a.partial_cmp(b), Some(a.cmp(b)));
                assert_eq!(a == b, a.cmp(b).is_eq());
            }
        }
    }
}
