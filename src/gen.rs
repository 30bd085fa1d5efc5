//! A generator of realistic synthetic merchant snapshots, so anyone can
//! reproduce the benchmark figures: `verdikt gen --n 1000000 --seed 7`.
//!
//! Values cluster around the policy's thresholds so every outcome of every
//! ruleset appears; numbers are written both as JSON numbers and as decimal
//! strings, as real exports do.

use std::fmt::Write as _;

mod schema;
mod thresholds;

/// A small, fast, deterministic PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(i).copied().unwrap_or("")
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Writes a date `days` days after 2026-01-01 (negative: before).
fn date(days: i64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let d = chrono::TimeDelta::try_days(days)
        .and_then(|t| base.checked_add_signed(t))
        .unwrap_or(base);
    d.format("%Y-%m-%d").to_string()
}

/// A number as a JSON number or as a decimal string, at random.
fn num(rng: &mut Rng, text: &str) -> String {
    if rng.chance(50) {
        text.to_string()
    } else {
        format!("\"{text}\"")
    }
}

/// One snapshot as a JSON line (no newline).
pub(crate) fn snapshot(rng: &mut Rng, index: u64) -> String {
    let as_of_day = i64::try_from(rng.below(400)).unwrap_or(0) - 10;
    // A third of merchants are strong on every measure, so increases are common.
    let strong = rng.chance(35);
    let rating = if strong {
        rng.pick(&["4.9", "4.85", "4.8", "5"])
    } else {
        rng.pick(&[
            "4.9", "4.85", "4.8", "4.79", "4.7", "4.6", "4.5", "4.49", "4.2", "5", "3.8",
        ])
    };
    let months = if strong {
        6 + rng.below(40)
    } else {
        rng.below(40)
    };
    let gmv = if strong {
        rng.pick(&["100000", "150000", "300000.00", "1200000", "2500000"])
    } else {
        rng.pick(&[
            "0",
            "5000.5",
            "99999.99",
            "100000",
            "150000",
            "300000.00",
            "1200000",
            "2500000",
        ])
    };
    let on_time = if strong {
        rng.pick(&["0.99", "0.985", "0.98", "1"])
    } else {
        rng.pick(&[
            "0.99", "0.985", "0.98", "0.9799", "0.95", "0.9", "0.8999", "0.75", "1",
        ])
    };
    let positive = if strong {
        rng.pick(&["0.99", "0.97", "0.95"])
    } else {
        rng.pick(&["0.99", "0.97", "0.95", "0.9499", "0.9", "0.8"])
    };
    let score = if strong {
        rng.pick(&["720", "700", "800", "950"])
    } else {
        rng.pick(&[
            "720", "700", "699", "650", "649", "600", "599", "800", "950", "350",
        ])
    };
    let open = if strong {
        "0"
    } else {
        rng.pick(&["0", "0", "0", "0", "1", "2"])
    };
    let severe = if strong {
        "0"
    } else {
        rng.pick(&["0", "0", "0", "0", "0", "0", "0", "1"])
    };
    let status = rng.pick(&["active", "active", "active", "active", "frozen", "exited"]);
    let provider = rng.pick(&["platform", "platform", "platform", "mybank"]);
    let limit_hundreds = rng.below(2000) + 1;
    let cents = if rng.chance(20) { rng.below(100) } else { 0 };
    let limit = format!("{}.{cents:02}", limit_hundreds * 100 + rng.below(2) * 50);
    let used = match rng.below(4) {
        0 => "0.00".to_string(),
        1 => limit.clone(),
        2 if limit_hundreds >= 11 => "1001.00".to_string(),
        _ => format!("{}.00", rng.below(limit_hundreds * 100)),
    };
    let overdue = if strong {
        "0"
    } else {
        rng.pick(&["0", "0", "0", "1", "2", "3"])
    };
    let mut s = String::with_capacity(640);
    let _ = write!(
        s,
        r#"{{"merchant_id":"M{index:07}","as_of":"{}","store":{{"rating":{},"months_active":{months}}},"sales":{{"gmv_90d":{}}},"fulfillment":{{"on_time_ship_rate":{},"positive_review_rate":{}}},"alipay":{{"credit_score":{score}}},"violations":{{"open":{open},"severe_12m":{severe}}},"quota":{{"status":"{status}","provider":"{provider}","limit":{},"used":{},"overdue_count_12m":{overdue}"#,
        date(as_of_day),
        num(rng, rating),
        num(rng, gmv),
        num(rng, on_time),
        num(rng, positive),
        num(rng, &limit),
        num(rng, &used),
    );
    push_optional_quota_fields(rng, &mut s, status, as_of_day);
    s.push('}');
    if rng.chance(40) {
        let kind = rng.pick(&["unbind", "early_terminate", "unfreeze_exit", "exit_service"]);
        let _ = write!(s, r#","request":{{"kind":"{kind}"}}"#);
    }
    s.push('}');
    s
}

/// A bad record of a random kind (for reject handling at scale).
/// The optional quota fields, drawn in a fixed order (the corpus for a seed
/// never changes).
fn push_optional_quota_fields(rng: &mut Rng, s: &mut String, status: &str, as_of_day: i64) {
    if rng.chance(50) {
        let _ = write!(
            s,
            r#","due_date":"{}""#,
            date(as_of_day + i64::try_from(rng.below(60)).unwrap_or(0) - 20)
        );
    }
    if rng.chance(60) {
        let back = rng
            .pick(&["30", "89", "90", "91", "200"])
            .parse::<i64>()
            .unwrap_or(0);
        let _ = write!(s, r#","last_adjusted_on":"{}""#, date(as_of_day - back));
    }
    if status == "exited" || rng.chance(5) {
        let back = rng
            .pick(&["10", "179", "180", "181", "400"])
            .parse::<i64>()
            .unwrap_or(0);
        let _ = write!(s, r#","exited_on":"{}""#, date(as_of_day - back));
        if rng.chance(50) {
            s.push_str(r#","frozen_before_exit":true"#);
        }
    }
}

pub(crate) fn bad_snapshot(rng: &mut Rng, index: u64) -> String {
    let good = snapshot(rng, index);
    match rng.below(6) {
        0 => good.replacen(r#""status":""#, r#""status":"X"#, 1),
        1 => good.get(..good.len() / 2).unwrap_or("").to_string(),
        2 => good.replacen(r#""as_of":"2"#, r#""as_of":"3"#, 1),
        3 => good.replacen(r#""merchant_id":"#, r#""merchant":"#, 1),
        4 => good.replacen(r#""credit_score":"#, r#""credit_score":99"#, 1),
        _ => String::new(),
    }
}

/// `n` snapshot lines; `bad_percent` of them bad records.
pub fn corpus(n: u64, seed: u64, bad_percent: u64, mut sink: impl FnMut(&str)) {
    corpus_until(n, seed, bad_percent, |line| {
        sink(line);
        std::ops::ControlFlow::Continue(())
    });
}

/// Like [`corpus`], stopping as soon as `sink` breaks (its reader is gone).
pub fn corpus_until(
    n: u64,
    seed: u64,
    bad_percent: u64,
    mut sink: impl FnMut(&str) -> std::ops::ControlFlow<()>,
) {
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let line = if bad_percent > 0 && rng.below(100) < bad_percent {
            bad_snapshot(&mut rng, i)
        } else {
            snapshot(&mut rng, i)
        };
        if sink(&line).is_break() {
            return;
        }
    }
}

/// Like [`corpus_until`], following `policy`'s schema: every declared field,
/// type, range, enum value and optional field, with values at and around
/// the thresholds its rules compare against (see `verdikt gen --rules`).
/// Deterministic: the same policy, `n`, `seed` and `bad_percent` give the
/// same lines.
pub fn policy_corpus_until(
    policy: &crate::Policy,
    n: u64,
    seed: u64,
    bad_percent: u64,
    mut sink: impl FnMut(&str) -> std::ops::ControlFlow<()>,
) {
    let plan = schema::Plan::of(policy);
    let mut rng = Rng::new(seed);
    for i in 0..n {
        let line = if bad_percent > 0 && rng.below(100) < bad_percent {
            plan.bad_snapshot(&mut rng, i)
        } else {
            plan.snapshot(&mut rng, i)
        };
        if sink(&line).is_break() {
            return;
        }
    }
}
