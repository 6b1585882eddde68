//! Caption parsing rules, one test each; SRT → WebVTT round trip; language codes.

use super::*;

fn cue(start_ms: u64, end_ms: u64, text: &str) -> Cue {
    Cue {
        start_ms,
        end_ms,
        text: text.into(),
    }
}

fn vtt(text: &str) -> Result<Vec<Cue>, CaptionError> {
    parse(CaptionFormat::WebVtt, text)
}

fn srt(text: &str) -> Result<Vec<Cue>, CaptionError> {
    parse(CaptionFormat::Srt, text)
}

fn error(result: Result<Vec<Cue>, CaptionError>) -> CaptionError {
    result.expect_err("the file is refused")
}

#[test]
fn webvtt_cues_with_and_without_identifiers_hours_and_settings() {
    let file = "WEBVTT\n\n1\n00:01.000 --> 00:02.500\nHello\nworld\n\n\
                01:00:00.000 --> 01:00:01.250 align:start line:0\n<v Ada>Bye</v>\n";
    assert_eq!(
        vtt(file).unwrap(),
        vec![
            cue(1000, 2500, "Hello\nworld"),
            cue(3_600_000, 3_601_250, "<v Ada>Bye</v>")
        ]
    );
}

#[test]
fn webvtt_tolerates_bom_crlf_lone_cr_and_no_trailing_newline() {
    let expected = vec![cue(0, 1000, "a"), cue(1000, 2000, "b")];
    for file in [
        "\u{feff}WEBVTT\r\n\r\n00:00.000 --> 00:01.000\r\na\r\n\r\n00:01.000 --> 00:02.000\r\nb\r\n",
        "WEBVTT\r\r00:00.000 --> 00:01.000\ra\r\r00:01.000 --> 00:02.000\rb",
    ] {
        assert_eq!(vtt(file).unwrap(), expected, "{file:?}");
    }
}

#[test]
fn webvtt_header_may_carry_text_and_header_lines() {
    let file =
        "WEBVTT - Spring launch\nKind: captions\nLanguage: en\n\n00:00.000 --> 00:01.000\nHi\n";
    assert_eq!(vtt(file).unwrap(), vec![cue(0, 1000, "Hi")]);
    let tab = "WEBVTT\tx\n\n00:00.000 --> 00:01.000\nHi\n";
    assert_eq!(vtt(tab).unwrap(), vec![cue(0, 1000, "Hi")]);
}

#[test]
fn webvtt_missing_header_is_line_1() {
    for file in [
        "00:00.000 --> 00:01.000\nHi\n",
        "WEBVTTX\n\n00:00.000 --> 00:01.000\nHi\n",
        "webvtt\n\n00:00.000 --> 00:01.000\nHi\n",
    ] {
        let e = error(vtt(file));
        assert_eq!(e.line, 1, "{file:?}");
        assert!(e.message.contains("missing header"), "{e}");
    }
}

#[test]
fn webvtt_skips_note_style_and_region_blocks() {
    let file = "WEBVTT\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:r1\n\n\
                NOTE a comment\nspanning lines\n\nNOTE\n\n00:00.000 --> 00:01.000\nHi\n\n\
                NOTE between cues\n\n00:01.000 --> 00:02.000\nThere\n";
    assert_eq!(
        vtt(file).unwrap(),
        vec![cue(0, 1000, "Hi"), cue(1000, 2000, "There")]
    );
}

#[test]
fn webvtt_allows_a_cue_without_text() {
    let file = "WEBVTT\n\n00:00.000 --> 00:01.000\n\n00:01.000 --> 00:02.000\nHi\n";
    assert_eq!(
        vtt(file).unwrap(),
        vec![cue(0, 1000, ""), cue(1000, 2000, "Hi")]
    );
}

#[test]
fn webvtt_timing_line_without_blank_line_starts_the_next_cue() {
    let file = "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n00:01.000 --> 00:02.000\nThere\n";
    assert_eq!(
        vtt(file).unwrap(),
        vec![cue(0, 1000, "Hi"), cue(1000, 2000, "There")]
    );
}

#[test]
fn webvtt_cue_right_after_the_header_needs_a_blank_line() {
    let e = error(vtt("WEBVTT\n00:00.000 --> 00:01.000\nHi\n"));
    assert_eq!(e.line, 2);
    assert!(e.message.contains("blank line"), "{e}");
}

#[test]
fn webvtt_bad_timestamps_name_their_line() {
    for (timing, bad) in [
        ("00:00.000 --> 00:01", "00:01"),
        ("0:00.000 --> 00:01.000", "0:00.000"),
        ("00:60.000 --> 00:61.000", "00:60.000"),
        ("00:00,000 --> 00:01.000", "00:00,000"),
        ("00:00.0000 --> 00:01.000", "00:00.0000"),
        ("00:00.000 --> ", ""),
        ("aa:00.000 --> 00:01.000", "aa:00.000"),
    ] {
        let file = format!("WEBVTT\n\n00:00.000 --> 00:01.000\nok\n\n{timing}\nHi\n");
        let e = error(vtt(&file));
        assert_eq!(e.line, 6, "{timing}");
        assert!(e.message.contains(&format!("\"{bad}\"")), "{e}");
        assert!(e.message.contains("[hh:]mm:ss.mmm"), "{e}");
    }
}

#[test]
fn end_before_start_is_refused_and_zero_length_is_kept() {
    let e = error(vtt("WEBVTT\n\n00:02.000 --> 00:01.000\nHi\n"));
    assert_eq!(e.line, 3);
    assert!(e.message.contains("before it starts"), "{e}");
    let e = error(srt("1\n00:00:02,000 --> 00:00:01,000\nHi\n"));
    assert_eq!(e.line, 2);
    assert_eq!(
        vtt("WEBVTT\n\n00:01.000 --> 00:01.000\nHi\n").unwrap(),
        vec![cue(1000, 1000, "Hi")]
    );
}

#[test]
fn webvtt_identifier_without_timing_line_is_an_error_at_the_line_after_it() {
    let e = error(vtt("WEBVTT\n\nintro\nHello there\n"));
    assert_eq!(e.line, 4);
    assert!(e.message.contains("timing line"), "{e}");
    let e = error(vtt("WEBVTT\n\nstray text\n"));
    assert_eq!(e.line, 3);
}

#[test]
fn an_error_deep_in_a_file_names_its_line() {
    let mut file = String::from("WEBVTT\n\n");
    for n in 0..100u64 {
        file.push_str(&format!(
            "{n}\n{} --> {}\ncue {n}\n\n",
            timestamp(n * 1000),
            timestamp(n * 1000 + 500)
        ));
    }
    // Header (2 lines) + 100 cues of 4 lines: the identifier is line 403, the timing line 404.
    file.push_str("100\n00:01:40.000 --> 00:01:4O.500\ncue 100\n");
    let e = error(vtt(&file));
    assert_eq!(e.line, 404);
    assert_eq!(e.to_string(), format!("line 404: {}", e.message));
    let srt_file = to_srt_like(&file);
    let e = error(srt(&srt_file));
    assert_eq!(e.line, 402);
}

/// The WebVTT file of the test above as SRT: no header, `,` in timestamps.
fn to_srt_like(file: &str) -> String {
    file.trim_start_matches("WEBVTT\n\n")
        .lines()
        .map(|line| {
            if line.contains("-->") {
                line.replace('.', ",")
            } else {
                line.into()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn empty_files_have_no_cues() {
    for (format, file) in [
        (CaptionFormat::WebVtt, "WEBVTT\n"),
        (CaptionFormat::WebVtt, "WEBVTT\n\nNOTE only a note\n"),
        (CaptionFormat::Srt, ""),
        (CaptionFormat::Srt, "\u{feff}\r\n\r\n"),
    ] {
        let e = error(parse(format, file));
        assert_eq!(e.message, "no cues", "{file:?}");
    }
    assert_eq!(error(vtt("")).line, 1);
}

#[test]
fn srt_blocks_with_bom_crlf_and_no_trailing_blank_line() {
    let file = "\u{feff}1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hello</i>\r\nworld\r\n\r\n\
                2\r\n01:00:00,000 --> 01:00:01,000\r\nBye";
    assert_eq!(
        srt(file).unwrap(),
        vec![
            cue(1000, 2500, "<i>Hello</i>\nworld"),
            cue(3_600_000, 3_601_000, "Bye")
        ]
    );
}

#[test]
fn srt_tolerates_missing_numbers_dots_coordinates_and_missing_blank_lines() {
    let file = "00:00:00.000 --> 00:00:01.000 X1:10 X2:20\nA\n2\n0:00:01,000 --> 00:00:02,000\nB\n";
    assert_eq!(
        srt(file).unwrap(),
        vec![cue(0, 1000, "A"), cue(1000, 2000, "B")]
    );
}

#[test]
fn srt_block_without_text_is_an_error() {
    let e = error(srt(
        "1\n00:00:00,000 --> 00:00:01,000\n\n2\n00:00:01,000 --> 00:00:02,000\nB\n",
    ));
    assert_eq!(e.line, 2);
    assert!(e.message.contains("no text"), "{e}");
    let e = error(srt("1\n00:00:00,000 --> 00:00:01,000"));
    assert_eq!(e.line, 2);
}

#[test]
fn srt_structure_errors_name_their_line() {
    let e = error(srt("1\n00:00:00,000 --> 00:00:01,000\nA\n\nhello\n"));
    assert_eq!((e.line, e.message.contains("cue number")), (5, true), "{e}");
    let e = error(srt("1\nno timing here\nA\n"));
    assert_eq!(
        (e.line, e.message.contains("timing line")),
        (2, true),
        "{e}"
    );
    let e = error(srt("1\n00:00:00 --> 00:00:01,000\nA\n"));
    assert!(e.message.contains("hh:mm:ss,mmm"), "{e}");
    assert_eq!(e.line, 2);
}

#[test]
fn srt_to_webvtt_round_trip_gives_the_same_cues() {
    let file = "1\n00:00:01,000 --> 00:00:02,500\n<i>Tom & Jerry</i>\n  indented\n\n\
                2\n00:00:03,000 --> 00:00:04,000\n42\n\n\
                3\n10:00:00,001 --> 10:00:00,002\nNOTE this is text\n";
    let cues = srt(file).unwrap();
    assert_eq!(cues.len(), 3);
    let webvtt = to_webvtt(&cues);
    assert!(
        webvtt.starts_with("WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n"),
        "{webvtt}"
    );
    assert_eq!(vtt(&webvtt).unwrap(), cues);
}

#[test]
fn to_webvtt_keeps_cues_whole_whatever_their_text() {
    let cues = vec![
        cue(0, 1000, "a --> b\n\nc"),
        cue(1000, 2000, ""),
        cue(360_000_000, 360_000_001, "late"),
    ];
    let webvtt = to_webvtt(&cues);
    assert!(
        webvtt.contains("100:00:00.000 --> 100:00:00.001\nlate\n"),
        "{webvtt}"
    );
    let back = vtt(&webvtt).unwrap();
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].text, "a --&gt; b\nc");
    assert_eq!(back[0].plain_text(), "a --> b c");
    assert_eq!(back[1], cues[1]);
    assert_eq!(back[2], cues[2]);
}

#[test]
fn plain_text_drops_tags_decodes_entities_and_joins_lines() {
    let c = cue(
        0,
        1,
        "<v Ada Lovelace>Tom &amp; <i>Jerry</i></v>\n<c.loud>&lt;3</c> at <00:00:01.000>noon&nbsp;&gt;\n  fish &amp;lt; chips &unknown; a < b",
    );
    assert_eq!(
        c.plain_text(),
        "Tom & Jerry <3 at noon > fish &lt; chips &unknown; a < b"
    );
    assert_eq!(cue(0, 1, "&lrm;<b></b>").plain_text(), "");
}

#[test]
fn content_types() {
    for (content_type, format) in [
        ("text/vtt", Some(CaptionFormat::WebVtt)),
        ("Text/VTT; charset=utf-8", Some(CaptionFormat::WebVtt)),
        ("application/x-subrip", Some(CaptionFormat::Srt)),
        ("application/srt", Some(CaptionFormat::Srt)),
        (" text/srt ;charset=UTF-8", Some(CaptionFormat::Srt)),
        ("text/plain", None),
        ("", None),
    ] {
        assert_eq!(
            CaptionFormat::from_content_type(content_type),
            format,
            "{content_type}"
        );
    }
}

#[test]
fn oversized_files_and_too_many_cues_are_refused() {
    let big = format!("WEBVTT\n\nNOTE {}\n", "x".repeat(MAX_CAPTION_BYTES));
    let e = error(vtt(&big));
    assert_eq!(e.line, 1);
    assert!(e.message.contains("at most 524288"), "{e}");
    let mut many = String::from("WEBVTT\n\n");
    for n in 0..=MAX_CUES {
        let (s, ms) = (n / 1000, n % 1000);
        many.push_str(&format!("00:{s:02}.{ms:03} --> 00:{s:02}.{ms:03}\n\n"));
    }
    assert!(many.len() <= MAX_CAPTION_BYTES);
    let e = error(vtt(&many));
    assert_eq!(e.line, 3 + 2 * MAX_CUES);
    assert!(e.message.contains("too many cues"), "{e}");
}

#[test]
fn language_codes_are_canonical() {
    for (code, canonical) in [
        ("en", "en"),
        ("EN", "en"),
        ("fil", "fil"),
        ("pt-br", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("ZH-HANT", "zh-Hant"),
        ("es-419", "es-419"),
    ] {
        assert_eq!(parse_language(code).as_deref(), Ok(canonical), "{code}");
    }
}

#[test]
fn bad_language_codes_say_what_is_wrong() {
    for (code, says) in [
        ("", "empty"),
        ("e", "2 or 3 letters"),
        ("engl", "2 or 3 letters"),
        ("e1", "2 or 3 letters"),
        ("en_US", "not \"_\""),
        ("en-", "neither a script"),
        ("en-USA", "neither a script"),
        ("en-12", "neither a script"),
        ("en-US-Latn", "before the region"),
        ("sr-Latn-Cyrl", "before the region"),
        ("en-US-GB", "only one region"),
        ("en US", "2 or 3 letters"),
    ] {
        let error = parse_language(code).expect_err(code);
        assert!(error.contains(says), "{code}: {error}");
    }
}

#[test]
fn generated_languages_are_canonical_codes() {
    assert_eq!(GENERATED_LANGUAGES.len(), 22);
    for code in GENERATED_LANGUAGES {
        assert_eq!(parse_language(code).as_deref(), Ok(*code));
    }
}
