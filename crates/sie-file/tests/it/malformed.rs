//! Malformed input gives an error that names the line.

use sie_file::{ParseError, ParseOptions, parse, parse_file};

const HEAD: &str = "#FLAGGA 0\r\n#PROGRAM \"test\" 1\r\n#FORMAT PC8\r\n#GEN 20260115\r\n#SIETYP 4\r\n#FNAMN \"AB\"\r\n";

fn err(body: &str) -> ParseError {
    parse(format!("{HEAD}{body}").as_bytes()).unwrap_err()
}

#[test]
fn truncated_voucher() {
    let e = err("#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {} 100.00\r\n");
    assert_eq!(e, ParseError::UnclosedVoucher { line: 7 });
    assert_eq!(
        e.to_string(),
        "line 7: voucher is not closed before the end of the file"
    );
}

#[test]
fn missing_opening_brace() {
    let e =
        err("#VER A 1 20260114 \"x\"\r\n#TRANS 1930 {} 100.00\r\n#TRANS 3000 {} -100.00\r\n}\r\n");
    assert_eq!(e, ParseError::MissingOpeningBrace { line: 7 });
    assert_eq!(e.to_string(), "line 7: #VER is not followed by `{`");
}

#[test]
fn missing_closing_brace() {
    let e = err(concat!(
        "#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {} 100.00\r\n#TRANS 3000 {} -100.00\r\n",
        "#VER A 2 20260114 \"y\"\r\n{\r\n}\r\n"
    ));
    assert_eq!(e.line(), 11);
    assert_eq!(
        e.to_string(),
        "line 11: #VER inside the voucher opened on line 7: missing `}`"
    );
}

#[test]
fn non_numeric_amount() {
    let e = err(
        "#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {} 100,00\r\n#TRANS 3000 {} -100.00\r\n}\r\n",
    );
    assert_eq!(e.line(), 9);
    assert_eq!(
        e.to_string(),
        "line 9: #TRANS has an invalid amount \"100,00\" (expected a number such as -1234.50)"
    );
    let e = err("#IB 0 1930 abc\r\n");
    assert_eq!(e.line(), 7);
    assert!(
        matches!(
            e,
            ParseError::InvalidAmount {
                field: "amount",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn bad_date() {
    let e = err("#VER A 1 20260231 \"x\"\r\n{\r\n}\r\n");
    assert_eq!(
        e.to_string(),
        "line 7: #VER has an invalid date \"20260231\" (expected YYYYMMDD)"
    );
    let e = err(
        "#VER A 1 20260101 \"x\"\r\n{\r\n#TRANS 1930 {} 1 2026-01-01\r\n#TRANS 1931 {} -1\r\n}\r\n",
    );
    assert_eq!(
        e.to_string(),
        "line 9: #TRANS has an invalid transaction date \"2026-01-01\" (expected YYYYMMDD)"
    );
    let e = err("#RAR 0 20260101 2026\r\n");
    assert_eq!(e.line(), 7);
    let e = err("#VER A 1\r\n{\r\n}\r\n");
    assert_eq!(e.to_string(), "line 7: #VER has no date");
}

#[test]
fn unbalanced_voucher() {
    let body = "\r\n#VER A 7 20260114 \"x\"\r\n{\r\n#TRANS 1930 {} 100.00\r\n#TRANS 3000 {} -99.99\r\n#BTRANS 3000 {} -0.01\r\n}\r\n";
    let e = err(body);
    assert_eq!(
        e.to_string(),
        "line 8: voucher A 7 does not balance: its #TRANS rows sum to 0.01"
    );
    // Allowed on request, then reported by `validate`.
    let lenient = ParseOptions {
        allow_unbalanced: true,
        ..ParseOptions::default()
    };
    let doc = parse_file(format!("{HEAD}{body}").as_bytes(), &lenient)
        .unwrap()
        .document;
    let report = sie_file::validate(&doc);
    assert!(!report.is_valid());
    assert_eq!(
        report.problems(),
        ["voucher A 7 (index 0) does not balance: its #TRANS rows sum to 0.01"]
    );
}

#[test]
fn lexical_errors() {
    assert_eq!(
        err("#FNAMN \"unterminated\r\n").to_string(),
        "line 7: unterminated quoted string"
    );
    assert_eq!(
        err("#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {1 \"2\" 100.00\r\n}\r\n").to_string(),
        "line 9: object list has no closing `}`"
    );
    assert_eq!(
        err("#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {1} 100.00\r\n}\r\n").to_string(),
        "line 9: #TRANS has an invalid object list \"1\""
    );
    assert_eq!(
        err("#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 100.00\r\n}\r\n").to_string(),
        "line 9: #TRANS has an invalid object list \"100.00\""
    );
    assert_eq!(
        err("#VER A 1 20260114 \"x\"\r\n{\r\n#TRANS 1930 {}\r\n}\r\n").to_string(),
        "line 9: #TRANS has no amount"
    );
    assert_eq!(
        err("#TRANS 1930 {} 1\r\n").to_string(),
        "line 7: #TRANS outside a voucher"
    );
    assert_eq!(err("}\r\n").to_string(), "line 7: } outside a voucher");
    assert_eq!(
        err("#KTYP 1930 X\r\n").to_string(),
        "line 7: #KTYP has an invalid account type \"X\""
    );
    assert_eq!(
        err("#FLAGGA x\r\n").to_string(),
        "line 7: #FLAGGA has an invalid flag \"x\""
    );
}

#[test]
fn truncated_ksumma_file() {
    let e = parse(b"#FLAGGA 0\n#KSUMMA\n#PROGRAM x 1\n").unwrap_err();
    assert_eq!(e, ParseError::UnclosedChecksum { line: 2 });
    assert_eq!(
        e.to_string(),
        "line 2: #KSUMMA is opened but the file has no closing #KSUMMA"
    );
}

#[test]
fn lenient_layout() {
    // Tabs, runs of spaces, LF only, blank lines, unknown labels, lowercase labels,
    // an unknown label inside a voucher.
    let text = "#FLAGGA\t0\n\n#PROGRAM   \"p\"\t1\n#UNKNOWN 1 2 {3}\n#fnamn \"AB\"\n#VER\tA\t1 20260114   \"x\"\n{\n  #TRANS 1930 {} 5\n #XYZ\n\t#TRANS\t3000\t{}\t-5\n}\n";
    let doc = parse(text.as_bytes()).unwrap();
    assert_eq!(doc.company_name, "AB");
    assert_eq!(doc.vouchers.len(), 1);
    assert_eq!(doc.vouchers[0].transactions.len(), 2);
    assert_eq!(parse(b"").unwrap(), sie_file::SieDocument::default());
}

#[test]
fn carriage_returns_alone_end_lines_too() {
    let doc = parse(b"#FLAGGA 0\r#FNAMN \"AB\"\r#VER A 1 20260114 x\r{\r#TRANS 1930 {} 5\r#TRANS 3000 {} -5\r}\r").unwrap();
    assert_eq!(doc.company_name, "AB");
    assert_eq!(doc.vouchers[0].transactions.len(), 2);
    let e = parse(b"#FLAGGA 0\r#FNAMN \"AB\"\r#VER A 1 2026 x\r").unwrap_err();
    assert_eq!(e.line(), 3);
}

#[test]
fn absurdly_large_amounts_are_errors_not_overflows() {
    let max = "79228162514264337593543950335";
    let e = err(&format!(
        "#VER A 1 20260114 x\r\n{{\r\n#TRANS 1930 {{}} {max}\r\n#TRANS 1930 {{}} {max}\r\n}}\r\n"
    ));
    assert_eq!(
        e.to_string(),
        format!(
            "line 9: #TRANS has an invalid amount \"{max}\" (expected a number such as -1234.50)"
        )
    );
    // 18 digits before the point still read, and sum without overflow.
    let big = "999999999999999999.99";
    let doc = parse(
        format!("{HEAD}#VER A 1 20260114 x\r\n{{\r\n#TRANS 1930 {{}} {big}\r\n#TRANS 1931 {{}} -{big}\r\n}}\r\n")
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(doc.vouchers[0].transactions[0].amount.to_string(), big);
}
