//! Intervals of exact decimals: what a set of comparisons of one value with
//! constants allows. Dates are day numbers; int and date values are
//! discrete, so `x > 89` and `x >= 90` are the same interval for them.

use rust_decimal::Decimal;

use crate::ast::CmpOp;

/// One end of an interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bound {
    pub value: Decimal,
    pub inclusive: bool,
}

/// The values `lo .. hi`; a missing end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Interval {
    pub lo: Option<Bound>,
    pub hi: Option<Bound>,
}

impl Interval {
    pub(crate) const ALL: Interval = Interval { lo: None, hi: None };

    /// The values `v` with `v <op> c`: one interval, or two for `!=`.
    /// `discrete` values are whole numbers, so strict bounds become
    /// inclusive ones on the next whole number.
    pub(crate) fn compare(op: CmpOp, c: Decimal, discrete: bool) -> Vec<Interval> {
        let lo = |inclusive| {
            Some(Bound {
                value: c,
                inclusive,
            })
        };
        let hi = lo;
        let raw = match op {
            CmpOp::Eq => vec![Interval {
                lo: lo(true),
                hi: hi(true),
            }],
            CmpOp::Ne => vec![
                Interval {
                    lo: None,
                    hi: hi(false),
                },
                Interval {
                    lo: lo(false),
                    hi: None,
                },
            ],
            CmpOp::Lt => vec![Interval {
                lo: None,
                hi: hi(false),
            }],
            CmpOp::Le => vec![Interval {
                lo: None,
                hi: hi(true),
            }],
            CmpOp::Gt => vec![Interval {
                lo: lo(false),
                hi: None,
            }],
            CmpOp::Ge => vec![Interval {
                lo: lo(true),
                hi: None,
            }],
        };
        if discrete {
            raw.into_iter().map(Interval::whole).collect()
        } else {
            raw
        }
    }

    /// The same set of whole numbers, with inclusive whole-number ends.
    pub(crate) fn whole(self) -> Interval {
        let lo = self.lo.map(|b| {
            let up = b.value.ceil();
            let value = if b.inclusive || up != b.value {
                Some(up)
            } else {
                up.checked_add(Decimal::ONE)
            };
            // At the edge of the decimal range keep the bound as written.
            value.map_or(b, |value| Bound {
                value,
                inclusive: true,
            })
        });
        let hi = self.hi.map(|b| {
            let down = b.value.floor();
            let value = if b.inclusive || down != b.value {
                Some(down)
            } else {
                down.checked_sub(Decimal::ONE)
            };
            value.map_or(b, |value| Bound {
                value,
                inclusive: true,
            })
        });
        Interval { lo, hi }
    }

    /// The values in both.
    pub(crate) fn intersect(self, other: Interval) -> Interval {
        Interval {
            lo: tighter_lo(self.lo, other.lo),
            hi: tighter_hi(self.hi, other.hi),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => {
                lo.value > hi.value || (lo.value == hi.value && !(lo.inclusive && hi.inclusive))
            }
            _ => false,
        }
    }

    /// Whether every value of `inner` is in `self`.
    pub(crate) fn contains(&self, inner: &Interval) -> bool {
        if inner.is_empty() {
            return true;
        }
        let lo_ok = match (self.lo, inner.lo) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => tighter_lo(Some(outer), Some(inner)) == Some(inner),
        };
        let hi_ok = match (self.hi, inner.hi) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(outer), Some(inner)) => tighter_hi(Some(outer), Some(inner)) == Some(inner),
        };
        lo_ok && hi_ok
    }
}

/// The stricter of two lower bounds.
fn tighter_lo(a: Option<Bound>, b: Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (Some(x), Some(y)) => Some(
            if x.value > y.value || (x.value == y.value && !x.inclusive) {
                x
            } else {
                y
            },
        ),
        (x, None) => x,
        (None, y) => y,
    }
}

/// The stricter of two upper bounds.
fn tighter_hi(a: Option<Bound>, b: Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (Some(x), Some(y)) => Some(
            if x.value < y.value || (x.value == y.value && !x.inclusive) {
                x
            } else {
                y
            },
        ),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// The single interval of `x <op> c`.
    fn cmp(op: CmpOp, c: &str, discrete: bool) -> Interval {
        let v = Interval::compare(op, d(c), discrete);
        assert_eq!(v.len(), 1);
        v[0]
    }

    fn dec(op: CmpOp, c: &str) -> Interval {
        cmp(op, c, false)
    }

    fn int(op: CmpOp, c: &str) -> Interval {
        cmp(op, c, true)
    }

    /// `a` implies `b` when every value allowed by `a` is allowed by `b`.
    fn implies(a: Interval, b: Interval) -> bool {
        b.contains(&a)
    }

    #[test]
    fn stricter_upper_threshold_implies_the_looser_one() {
        // store.rating < 4.0 implies store.rating < 4.5, not the reverse.
        assert!(implies(dec(CmpOp::Lt, "4.0"), dec(CmpOp::Lt, "4.5")));
        assert!(!implies(dec(CmpOp::Lt, "4.5"), dec(CmpOp::Lt, "4.0")));
    }

    #[test]
    fn decimal_bounds_keep_the_gap_between_neighbours() {
        // x <= 4.49 implies x < 4.5; x < 4.5 allows 4.495, so not the reverse.
        assert!(implies(dec(CmpOp::Le, "4.49"), dec(CmpOp::Lt, "4.5")));
        assert!(!implies(dec(CmpOp::Lt, "4.5"), dec(CmpOp::Le, "4.49")));
        // Same value: strict implies inclusive, not the reverse.
        assert!(implies(dec(CmpOp::Lt, "4.5"), dec(CmpOp::Le, "4.5")));
        assert!(!implies(dec(CmpOp::Le, "4.5"), dec(CmpOp::Lt, "4.5")));
        assert!(implies(dec(CmpOp::Gt, "90"), dec(CmpOp::Ge, "90")));
        assert!(!implies(dec(CmpOp::Ge, "90"), dec(CmpOp::Gt, "90")));
    }

    #[test]
    fn whole_numbers_have_no_values_between_neighbours() {
        // For ints, x > 89 and x >= 90 are the same; for decimals they are not.
        assert_eq!(int(CmpOp::Gt, "89"), int(CmpOp::Ge, "90"));
        assert!(implies(int(CmpOp::Gt, "89"), int(CmpOp::Ge, "90")));
        assert!(implies(int(CmpOp::Ge, "90"), int(CmpOp::Gt, "89")));
        assert!(!implies(dec(CmpOp::Gt, "89"), dec(CmpOp::Ge, "90")));
        assert!(implies(dec(CmpOp::Ge, "90"), dec(CmpOp::Gt, "89")));
        // x < 4.5 on ints is x <= 4, and x >= 89.5 is x >= 90.
        assert_eq!(int(CmpOp::Lt, "4.5"), int(CmpOp::Le, "4"));
        assert_eq!(int(CmpOp::Ge, "89.5"), int(CmpOp::Ge, "90"));
        // x >= 90 and x < 91 on ints is exactly 90.
        assert_eq!(
            int(CmpOp::Ge, "90").intersect(int(CmpOp::Lt, "91")),
            int(CmpOp::Eq, "90")
        );
    }

    #[test]
    fn contradictory_bounds_are_empty() {
        assert!(dec(CmpOp::Ge, "5")
            .intersect(dec(CmpOp::Lt, "3"))
            .is_empty());
        assert!(dec(CmpOp::Gt, "3")
            .intersect(dec(CmpOp::Lt, "3"))
            .is_empty());
        assert!(dec(CmpOp::Ge, "3")
            .intersect(dec(CmpOp::Lt, "3"))
            .is_empty());
        // x >= 3 and x <= 3 is the single value 3.
        assert!(!dec(CmpOp::Ge, "3")
            .intersect(dec(CmpOp::Le, "3"))
            .is_empty());
        // Decimals between 3 and 3.01 exist; whole numbers between 3 and 4 do not.
        assert!(!dec(CmpOp::Gt, "3")
            .intersect(dec(CmpOp::Lt, "3.01"))
            .is_empty());
        assert!(int(CmpOp::Gt, "3")
            .intersect(int(CmpOp::Lt, "4"))
            .is_empty());
        assert!(!dec(CmpOp::Gt, "3")
            .intersect(dec(CmpOp::Lt, "4"))
            .is_empty());
    }

    #[test]
    fn percentages_are_fractions() {
        // `98%` is stored as 0.98: a rate below 0.9 is below 98%.
        assert!(implies(dec(CmpOp::Lt, "0.9"), dec(CmpOp::Lt, "0.98")));
        assert!(dec(CmpOp::Ge, "0.98")
            .intersect(dec(CmpOp::Lt, "0.975"))
            .is_empty());
        assert!(!dec(CmpOp::Ge, "0.975")
            .intersect(dec(CmpOp::Lt, "0.98"))
            .is_empty());
    }

    #[test]
    fn dates_are_whole_day_numbers() {
        use chrono::{Datelike, NaiveDate};
        let day = |y, m, dd| {
            Decimal::from(
                NaiveDate::from_ymd_opt(y, m, dd)
                    .unwrap()
                    .num_days_from_ce(),
            )
        };
        let after = |y, m, dd| Interval::compare(CmpOp::Gt, day(y, m, dd), true)[0];
        let from = |y, m, dd| Interval::compare(CmpOp::Ge, day(y, m, dd), true)[0];
        let before = |y, m, dd| Interval::compare(CmpOp::Lt, day(y, m, dd), true)[0];
        // After the last day of January is from the first of February.
        assert_eq!(after(2026, 1, 31), from(2026, 2, 1));
        assert!(after(2026, 3, 1).intersect(before(2026, 3, 2)).is_empty());
        assert!(!after(2026, 3, 1).intersect(before(2026, 3, 3)).is_empty());
        assert!(implies(after(2026, 6, 1), after(2026, 1, 1)));
        assert!(!implies(after(2026, 1, 1), after(2026, 6, 1)));
    }

    #[test]
    fn not_equal_is_below_or_above() {
        let ne = Interval::compare(CmpOp::Ne, d("0"), false);
        assert_eq!(ne, vec![dec(CmpOp::Lt, "0"), dec(CmpOp::Gt, "0")]);
        // On ints, != 3 is <= 2 or >= 4.
        let ne = Interval::compare(CmpOp::Ne, d("3"), true);
        assert_eq!(ne, vec![int(CmpOp::Le, "2"), int(CmpOp::Ge, "4")]);
    }

    #[test]
    fn the_edge_of_the_decimal_range_does_not_overflow() {
        let top = int(CmpOp::Gt, &Decimal::MAX.to_string());
        assert_eq!(
            top.lo,
            Some(Bound {
                value: Decimal::MAX,
                inclusive: false
            })
        );
    }
}
