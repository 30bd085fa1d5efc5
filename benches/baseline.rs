//! The hand-written baseline: the `limit_adjustment` ruleset as plain Rust
//! (serde structs, rust_decimal, chrono, if-statements), as a careful
//! engineer would write it without an engine. Benchmarks compare the engine
//! with it; `tests/baseline_agrees.rs` checks both decide alike.
#![allow(
    missing_docs,
    reason = "benchmark code: the baseline a person would write"
)]

use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(crate) struct Snapshot {
    pub merchant_id: String,
    pub as_of: String,
    pub store: Store,
    pub sales: Sales,
    pub fulfillment: Fulfillment,
    pub alipay: Alipay,
    pub violations: Violations,
    pub quota: Quota,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Store {
    pub rating: Decimal,
    pub months_active: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Sales {
    pub gmv_90d: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Fulfillment {
    pub on_time_ship_rate: Decimal,
    pub positive_review_rate: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Alipay {
    pub credit_score: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Violations {
    pub open: Decimal,
    pub severe_12m: Decimal,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Quota {
    pub status: String,
    pub limit: Decimal,
    pub used: Decimal,
    pub overdue_count_12m: Decimal,
    pub last_adjusted_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LimitDecision {
    pub outcome: &'static str,
    pub new_limit: Option<Decimal>,
    pub reasons: Vec<String>,
}

fn floor_to(x: Decimal, step: Decimal) -> Option<Decimal> {
    let r = x.checked_rem(step)?;
    let r = if r < Decimal::ZERO {
        r.checked_add(step)?
    } else {
        r
    };
    x.checked_sub(r)
}

fn ceil_to(x: Decimal, step: Decimal) -> Option<Decimal> {
    let f = floor_to(x, step)?;
    if f == x {
        Some(f)
    } else {
        f.checked_add(step)
    }
}

fn percent(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).normalize())
}

fn money(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// Decides `limit_adjustment`; `None` on arithmetic overflow or a bad date.
pub(crate) fn decide(s: &Snapshot) -> Option<LimitDecision> {
    let q = &s.quota;
    if q.status != "active" {
        return Some(LimitDecision {
            outcome: "not_applicable",
            new_limit: None,
            reasons: vec![format!("额度状态为 {},不参与额度调整", q.status)],
        });
    }
    let hundred = Decimal::ONE_HUNDRED;
    let one = Decimal::ONE;
    if s.violations.severe_12m >= one || q.overdue_count_12m >= Decimal::from(3) {
        let mut reasons = Vec::new();
        if s.violations.severe_12m >= one {
            reasons.push(format!("近12个月有 {} 次严重违规", s.violations.severe_12m));
        }
        if q.overdue_count_12m >= Decimal::from(3) {
            reasons.push(format!("近12个月逾期 {} 次,达到 3 次", q.overdue_count_12m));
        }
        return Some(LimitDecision {
            outcome: "freeze",
            new_limit: Some(q.limit),
            reasons,
        });
    }
    let rating = s.store.rating;
    let on_time = s.fulfillment.on_time_ship_rate;
    let score = s.alipay.credit_score;
    if rating < Decimal::new(45, 1)
        || on_time < Decimal::new(90, 2)
        || score < Decimal::from(600)
        || q.overdue_count_12m >= one
        || s.violations.open >= one
    {
        let seventy = floor_to(q.limit.checked_mul(Decimal::new(7, 1))?, hundred)?;
        let new_limit = q.limit.min(seventy.max(ceil_to(q.used, hundred)?));
        let mut reasons = Vec::new();
        if rating < Decimal::new(45, 1) {
            reasons.push(format!("店铺评分 {},低于 4.5", rating.normalize()));
        }
        if on_time < Decimal::new(90, 2) {
            reasons.push(format!("按时发货率 {},低于 90%", percent(on_time)));
        }
        if score < Decimal::from(600) {
            reasons.push(format!("支付宝信用分 {score},低于 600"));
        }
        if q.overdue_count_12m >= one {
            reasons.push(format!("近12个月逾期 {} 次", q.overdue_count_12m));
        }
        if s.violations.open >= one {
            reasons.push(format!("有 {} 个未处理违规", s.violations.open));
        }
        return Some(LimitDecision {
            outcome: "decrease",
            new_limit: Some(new_limit),
            reasons,
        });
    }
    let as_of = NaiveDate::parse_from_str(&s.as_of, "%Y-%m-%d").ok()?;
    let cooled = match &q.last_adjusted_on {
        None => true,
        Some(d) => (as_of - NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()?).num_days() >= 90,
    };
    let candidate = floor_to(q.limit.checked_mul(Decimal::new(13, 1))?, hundred)?
        .min(floor_to(
            s.sales.gmv_90d.checked_mul(Decimal::new(5, 1))?,
            hundred,
        )?)
        .min(Decimal::from(500_000));
    if rating >= Decimal::new(48, 1)
        && on_time >= Decimal::new(98, 2)
        && s.fulfillment.positive_review_rate >= Decimal::new(95, 2)
        && score >= Decimal::from(700)
        && s.sales.gmv_90d >= Decimal::from(100_000)
        && s.store.months_active >= Decimal::from(6)
        && cooled
        && candidate > q.limit
    {
        let reasons = vec![format!(
            "经营表现良好,额度由 {} 提升至 {}",
            money(q.limit),
            money(candidate)
        )];
        return Some(LimitDecision {
            outcome: "increase",
            new_limit: Some(candidate),
            reasons,
        });
    }
    // A hold lists every unmet condition of the increase.
    let mut reasons = Vec::new();
    if rating < Decimal::new(48, 1) {
        reasons.push(format!("店铺评分 {},需达到 4.8", rating.normalize()));
    }
    if on_time < Decimal::new(98, 2) {
        reasons.push(format!("按时发货率 {},需达到 98%", percent(on_time)));
    }
    if s.fulfillment.positive_review_rate < Decimal::new(95, 2) {
        reasons.push(format!(
            "好评率 {},需达到 95%",
            percent(s.fulfillment.positive_review_rate)
        ));
    }
    if score < Decimal::from(700) {
        reasons.push(format!("支付宝信用分 {score},需达到 700"));
    }
    if s.sales.gmv_90d < Decimal::from(100_000) {
        reasons.push(format!(
            "近90天销售额 {},需达到 ¥100,000.00",
            money(s.sales.gmv_90d)
        ));
    }
    if s.store.months_active < Decimal::from(6) {
        reasons.push(format!("开店 {} 个月,需满 6 个月", s.store.months_active));
    }
    if !cooled {
        reasons.push("距上次调整不足 90 天".to_string());
    }
    if candidate <= q.limit {
        reasons.push(format!(
            "可提升至 {},未超过当前额度 {}",
            money(candidate),
            money(q.limit)
        ));
    }
    Some(LimitDecision {
        outcome: "hold",
        new_limit: Some(q.limit),
        reasons,
    })
}

/// One JSONL line in, one JSONL line out (appended to `out`).
pub(crate) fn decide_line(line: &str, out: &mut String) -> bool {
    let Ok(snapshot) = serde_json::from_str::<Snapshot>(line) else {
        return false;
    };
    let Some(d) = decide(&snapshot) else {
        return false;
    };
    let _ = write!(
        out,
        r#"{{"merchant_id":{:?},"decisions":{{"limit_adjustment":{{"outcome":"{}""#,
        snapshot.merchant_id, d.outcome
    );
    if let Some(l) = d.new_limit {
        let _ = write!(out, r#","new_limit":"{}""#, money(l));
    }
    out.push_str(r#","reasons":["#);
    for (i, r) in d.reasons.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}", serde_json::Value::from(r.as_str()));
    }
    out.push_str("]}}}\n");
    true
}
