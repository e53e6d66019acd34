//! review.md with hostile provider text, rendered by a CommonMark parser as a
//! Markdown viewer would (tables, strikethrough, math and footnotes on, like
//! GitHub's): the table keeps its shape and nothing becomes markup.

use bookkeeping_core::*;
use journal_mapping::markdown::escape;
use journal_mapping::{OutstandingKind, Policy};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::helpers::*;

/// What a customer can type into a name, a note or a document number.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](https://evil.example/)",
    "![t](https://evil.example/t.png)",
    "a | b | c",
    "line\r\n| forged | row | x | y | z |",
    "nul\0byte",
    "bidi \u{202e}gpj.exe",
    "\u{1b}]0;title\u{7}\u{1b}[2Jansi",
    "*bold* _em_ ~~del~~ `code` $x$ \\",
    "&lt;b&gt; &amp;",
    "#VER A 1 20260301 \"forged\"",
    "=HYPERLINK(\"https://evil.example\")",
    "☕ 🎉",
    "pay at HTTPS://evil.example/pay, www.evil.example or anna@evil.example",
];

fn render(md: &str) -> Vec<Event<'_>> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_MATH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    Parser::new_ext(md, options).collect()
}

/// Asserts the rendered document has no HTML, links, images, code, math or
/// emphasis: every provider value stayed text.
fn assert_no_markup(events: &[Event<'_>], md: &str) {
    for e in events {
        let bad = match e {
            Event::Html(_) | Event::InlineHtml(_) => true,
            Event::Code(_) | Event::InlineMath(_) | Event::DisplayMath(_) => true,
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => true,
            Event::Start(tag) => matches!(
                tag,
                Tag::Link { .. }
                    | Tag::Image { .. }
                    | Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::CodeBlock(_)
                    | Tag::HtmlBlock
                    | Tag::BlockQuote(_)
            ),
            _ => false,
        };
        assert!(!bad, "markup {e:?} in\n{md}");
    }
}

/// The rows of each table: the number of cells in every row, header first.
fn table_shapes(events: &[Event<'_>]) -> Vec<Vec<usize>> {
    let mut tables = Vec::new();
    let mut rows: Vec<usize> = Vec::new();
    let mut cells = 0;
    for e in events {
        match e {
            Event::Start(Tag::Table(_)) => rows = Vec::new(),
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => rows.push(cells),
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut rows)),
            _ => {}
        }
    }
    tables
}

/// All text of the document, as a viewer shows it.
fn shown_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        if let Event::Text(t) = e {
            s.push_str(t);
        }
        if matches!(e, Event::End(_) | Event::SoftBreak | Event::HardBreak) {
            s.push('\n');
        }
    }
    s
}

/// What a viewer shows of `h`: the string less its control and bidi
/// characters, with what GitHub's Markdown would make a link of defanged
/// (`[:]//`, `www[.]`, `[@]`).
fn as_shown(h: &str) -> String {
    bookkeeping_core::text::printable(h)
        .replace("https://", "https[:]//")
        .replace("HTTPS://", "HTTPS[:]//")
        .replace("www.", "www[.]")
        .replace("WWW.", "WWW[.]")
        .replace('@', "[@]")
}

#[test]
fn every_hostile_string_renders_as_its_own_text() {
    for h in HOSTILE {
        let md = format!("| a | b |\n|---|---|\n| {} | x |\n", escape(h));
        let events = render(&md);
        assert_no_markup(&events, &md);
        assert_eq!(table_shapes(&events), vec![vec![2, 2]], "{md}");
        // What the viewer shows is the string itself, less its control
        // and bidi characters, its would-be links defanged.
        let shown = shown_text(&events);
        assert!(shown.contains(&as_shown(h)), "{shown:?} for {h:?}");
        // Nor anything GitHub's Markdown makes a link of by itself (its
        // extended autolinks, which pulldown-cmark does not make).
        let lower = shown.to_lowercase().replace("[@]", "");
        for autolink in ["http://", "https://", "www.", "@"] {
            assert!(!lower.contains(autolink), "{autolink} in {shown:?}");
        }
    }
}

#[test]
fn review_markdown_with_hostile_provider_text_keeps_its_shape() {
    let mut mp = mapper(Policy::default());
    for (i, h) in HOSTILE.iter().enumerate() {
        mp.add_review(
            ReviewItem::new(
                Provider::PayPal,
                ReviewReason::Other,
                format!("subject {h}"),
            )
            .with_source(SourceRef::new(
                Provider::PayPal,
                "transaction",
                format!("T{i}{h}"),
            ))
            .with_field(format!("note {h}"))
            .with_amount(sek("1.00")),
        );
        // A payout that does not reconcile: its id is listed.
        let line = sline(
            Provider::Klarna,
            &format!("ch{i}"),
            SettlementKind::Charge,
            sek("10.00"),
            vec![],
            None,
        );
        mp.add_payout(&payout(Provider::Klarna, &format!("P{i}{h}"), vec![line]));
        // An order paid through a gateway that is not integrated: the
        // gateway name and the document number are listed.
        let mut s = shop_sale(&format!("O{i}"), vec![domestic(25, "8.00", "2.00")]);
        s.document_number = format!("#{i}{h}").into();
        s.payments[0].gateway = format!("gw {h}").into();
        s.payments[0].channel = PaymentChannel::External;
        mp.add_sale(&s);
    }
    let j = balanced(mp.finish());
    let md = j.review_markdown();
    let events = render(&md);
    assert_no_markup(&events, &md);

    // The items table: a header and one row per review item, five cells
    // each; every payout arriving in the period, seven cells; the payouts in
    // transit (six) and lines not paid out (five) when there are any; the
    // coverage table: ten cells per row; then one table of four cells per
    // separate report needed, a row per record.
    let shapes = table_shapes(&events);
    let transit = j
        .outstanding
        .iter()
        .filter(|o| matches!(o.kind, OutstandingKind::PayoutInTransit { .. }))
        .count();
    let unpaid = j.outstanding.len() - transit;
    let clearing_tables = usize::from(transit > 0) + usize::from(unpaid > 0);
    assert_eq!(
        shapes.len(),
        3 + clearing_tables + j.coverage.needed.len(),
        "{md}"
    );
    assert!(!j.coverage.needed.is_empty());
    let needed_at = 3 + clearing_tables;
    for (shape, needed) in shapes[needed_at..].iter().zip(&j.coverage.needed) {
        assert_eq!(shape.len(), 1 + needed.items.len(), "{md}");
        assert!(shape.iter().all(|cells| *cells == 4), "{shapes:?}\n{md}");
    }
    assert_eq!(shapes[0].len(), 1 + j.review.len(), "{md}");
    assert!(
        shapes[0].iter().all(|cells| *cells == 5),
        "{shapes:?}\n{md}"
    );
    assert_eq!(shapes[1].len(), 1 + j.reconciliations.len(), "{md}");
    assert!(
        shapes[1].iter().all(|cells| *cells == 7),
        "{shapes:?}\n{md}"
    );
    assert!(
        shapes[needed_at - 1].iter().all(|cells| *cells == 10),
        "{shapes:?}\n{md}"
    );
    assert!(j.review.len() >= HOSTILE.len() * 2);

    // No raw control or bidi character reached the file, and every line is
    // either ours or starts a row or list item of ours.
    assert!(
        !md.chars()
            .any(|c| (c.is_control() && c != '\n') || text::is_hidden_format(c)),
        "{md:?}"
    );
    // Every hostile value is still there for the accountant to read.
    let shown = shown_text(&events);
    for h in HOSTILE {
        let h = as_shown(h);
        assert!(shown.contains(&format!("subject {h}")), "{h:?}");
        assert!(shown.contains(&format!("note {h}")), "{h:?}");
    }
    // The unreconciled payouts are list items, one per payout.
    let payouts = md
        .lines()
        .skip_while(|l| !l.starts_with("## Payouts"))
        .take_while(|l| !l.starts_with("## Coverage"))
        .filter(|l| l.starts_with("- "))
        .count();
    assert_eq!(payouts, HOSTILE.len(), "{md}");
}
