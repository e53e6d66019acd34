//! `parse` never panics, whatever the bytes.

use proptest::prelude::*;
use sie_file::parse;

use crate::fixtures::{BL, FORTNOX, NORSTEDTS, VISMA_E, VISMA_FAKT};

/// Bytes that look like SIE often enough to reach deep into the reader.
fn sie_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"#VER ".to_vec()),
        Just(b"#TRANS ".to_vec()),
        Just(b"#KSUMMA ".to_vec()),
        Just(b"#RAR 0 ".to_vec()),
        Just(b"#KONTO ".to_vec()),
        Just(b"#KTYP ".to_vec()),
        Just(b"#IB 0 ".to_vec()),
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\\".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"20260231".to_vec()),
        Just(b"20260101".to_vec()),
        Just(b"-12.50".to_vec()),
        Just(b"99999999999999999999999999999999".to_vec()),
        Just(b"999999999999999999.99".to_vec()),
        Just(b"-999999999999999999.99".to_vec()),
        Just(vec![0x84, 0x94]),
        Just("åäö".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

/// Parses and checks that an error names a line that exists.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(e) = parse(bytes) {
        // Lines end in LF (or CRLF); a file without any LF splits on CR.
        let separator = if bytes.contains(&b'\n') { b'\n' } else { b'\r' };
        let lines = bytes.iter().filter(|b| **b == separator).count() + 1;
        prop_assert!(
            e.line() >= 1 && e.line() <= lines,
            "{} with {} lines",
            e,
            lines
        );
        let prefix = format!("line {}: ", e.line());
        let message = e.to_string();
        prop_assert!(message.starts_with(&prefix), "{}", message);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn sie_like_bytes_never_panic(bytes in sie_like_bytes()) {
        check(&bytes)?;
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..5,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let fixture = [FORTNOX, BL, VISMA_FAKT, NORSTEDTS, VISMA_E][which];
        let mut bytes = fixture.to_vec();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        check(&bytes)?;
    }
}
