//! The framer on hand-made and arbitrary streams: budgets hold, broken
//! messages are answered and passed over, and the next message is read.

use std::io::{BufReader, Cursor};

use proptest::prelude::*;

use super::*;

/// Small budgets, so tests reach them with small inputs.
const SMALL: Limits = Limits {
    line: 64,
    header: 256,
    body: 1024,
    skip: 4096,
};

fn frames(input: &[u8], limits: Limits) -> Vec<Frame> {
    // A small read buffer: lines and bodies cross buffer boundaries.
    let reader = BufReader::with_capacity(7, Cursor::new(input.to_vec()));
    let mut framer = Framer::new(reader, limits);
    let mut out = Vec::new();
    loop {
        let frame = framer.next_frame().expect("in-memory reads cannot fail");
        assert!(framer.held() <= limits.line);
        let last = matches!(frame, Frame::End { .. } | Frame::Absurd(_));
        out.push(frame);
        if last {
            return out;
        }
    }
}

fn message(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

fn body(text: &str) -> Frame {
    Frame::Body(text.as_bytes().to_vec())
}

fn code(frame: &Frame) -> Option<i32> {
    match frame {
        Frame::Refused { code, .. } => Some(*code),
        _ => None,
    }
}

#[test]
fn messages_are_framed_whatever_the_header_case_and_extra_headers() {
    let input = format!(
        "{}content-length:2\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{{}}\r\n{}",
        message(r#"{"a":1}"#),
        message("[]")
    );
    assert_eq!(
        frames(input.as_bytes(), SMALL),
        vec![
            body(r#"{"a":1}"#),
            body("{}"),
            body("[]"),
            Frame::End { inside: false }
        ]
    );
}

#[test]
fn a_broken_header_is_answered_and_the_next_message_read() {
    for broken in [
        "Content-Length: ten\r\n\r\n{\"x\":1}".to_string(),
        "Content-Type: text\r\n\r\n{\"x\":1}".to_string(),
        "hello\r\n{\"x\":1}".to_string(),
        format!("X-Long: {}\r\n\r\n{{}}", "y".repeat(100)),
        "A: b\r\n".repeat(50),
    ] {
        let input = format!("{broken}{}", message("{}"));
        let got = frames(input.as_bytes(), SMALL);
        assert_eq!(got.len(), 3, "{broken:?}: {got:?}");
        assert_eq!(code(&got[0]), Some(-32700), "{broken:?}: {got:?}");
        assert_eq!(got[1], body("{}"), "{broken:?}");
    }
}

#[test]
fn an_over_size_body_is_skipped_exactly() {
    let big = "x".repeat(2000);
    let input = format!("{}{}", message(&big), message("{}"));
    let got = frames(input.as_bytes(), SMALL);
    assert_eq!(code(&got[0]), Some(-32600));
    assert_eq!(got[1..], [body("{}"), Frame::End { inside: false }]);
}

#[test]
fn an_absurd_length_ends_the_connection() {
    let got = frames(b"Content-Length: 100000000000\r\n\r\n{}", SMALL);
    assert!(matches!(got[..], [Frame::Absurd(_)]), "{got:?}");
    let got = frames(b"Content-Length: 99999999999999999999999\r\n\r\n{}", SMALL);
    assert!(matches!(got[..], [Frame::Absurd(_)]), "{got:?}");
}

#[test]
fn the_input_ending_inside_a_message_is_an_end() {
    assert_eq!(frames(b"", SMALL), vec![Frame::End { inside: false }]);
    assert_eq!(
        frames(b"Content-Length: 10\r\n\r\n{}", SMALL),
        vec![Frame::End { inside: true }]
    );
    assert_eq!(
        frames(b"Content-Length: 10\r\n", SMALL),
        vec![Frame::End { inside: true }]
    );
    assert_eq!(
        frames(b"Content-Length: 2000\r\n\r\n{}", SMALL),
        vec![Frame::End { inside: true }]
    );
}

#[test]
fn a_body_buffer_never_grows_past_its_length() {
    let text = "z".repeat(1000);
    let reader = BufReader::with_capacity(7, Cursor::new(message(&text).into_bytes()));
    let mut framer = Framer::new(reader, SMALL);
    let Ok(Frame::Body(b)) = framer.next_frame() else {
        panic!("a body")
    };
    assert_eq!(b.len(), 1000);
    assert!(b.capacity() <= 1000);
}

#[test]
fn bodies_that_are_not_messages_are_refused_with_their_codes() {
    let refused = |text: &str| decode(text.as_bytes()).expect_err(text);
    let r = refused("{\"id\":1,");
    assert_eq!((r.code, r.id), (-32700, None));
    let r = refused("\u{0}");
    assert_eq!(r.code, -32700);
    let r = refused("[1, 2]");
    assert_eq!((r.code, r.id), (-32600, None));
    let r = refused(r#"{"id": 7, "method": 5}"#);
    assert_eq!((r.code, r.id), (-32600, Some(RequestId::from(7))));
    assert!(decode(br#"{"id": 7, "method": "x"}"#).is_ok());
    assert!(decode(br#"{"method": "x"}"#).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary bytes: no panic, every frame within the budgets, and the
    /// framer ends (each frame but the last consumes input).
    #[test]
    fn arbitrary_bytes_stay_within_the_budgets(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let got = frames(&bytes, SMALL);
        prop_assert!(got.len() <= bytes.len() + 1);
        for frame in &got {
            if let Frame::Body(b) = frame {
                prop_assert!(b.len() <= SMALL.body);
                prop_assert!(b.capacity() <= SMALL.body);
            }
        }
    }

    /// Header-like noise (the bytes headers are made of) before a message.
    #[test]
    fn header_noise_stays_within_the_budgets(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("Content-Length: ".to_string()),
                Just("\r\n".to_string()),
                Just(":".to_string()),
                "[0-9]{1,25}",
                "[a-zA-Z -]{0,80}",
                Just("{}".to_string()),
            ],
            0..40,
        )
    ) {
        let input = parts.concat();
        for frame in frames(input.as_bytes(), SMALL) {
            if let Frame::Body(b) = frame {
                prop_assert!(b.len() <= SMALL.body && b.capacity() <= SMALL.body);
            }
        }
    }
}
