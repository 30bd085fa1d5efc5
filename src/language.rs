//! The language a policy declares (`language zh`): the words around its
//! reasons in explanations and traces. The reasons themselves are the
//! author's.

/// A language the framing of explanations is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English, when a policy declares none.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

impl Language {
    /// Every language, by the name a declaration uses.
    pub const ALL: [(&'static str, Language); 2] = [("en", Language::En), ("zh", Language::Zh)];

    /// The language a declaration names.
    pub fn from_name(name: &str) -> Option<Language> {
        Language::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, l)| *l)
    }

    /// The words of this language.
    pub(crate) fn words(self) -> &'static Words {
        match self {
            Language::En => &EN,
            Language::Zh => &ZH,
        }
    }
}

/// The fixed words of explanations and traces.
#[derive(Debug)]
pub(crate) struct Words {
    pub merchant: &'static str,
    pub rules: &'static str,
    pub no_merchant_id: &'static str,
    pub rule: &'static str,
    pub no_rule_matched: &'static str,
    pub does_not_apply: &'static str,
    pub because: &'static str,
    /// `not met ({n})`, before and after the count.
    pub not_met: (&'static str, &'static str),
    pub required: &'static str,
    pub condition: &'static str,
    /// `{n} more conditions not met`, before and after the count: the
    /// conditions without a text for merchants.
    pub untold: (&'static str, &'static str),
    /// Before a merchant's actual value: `now 4.7, required ≥ 4.8`.
    pub now: &'static str,
    pub trace: &'static str,
    /// A value that is not there: `quota.due_date absent`.
    pub absent: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// `, ` between an actual and a required value.
    pub comma: &'static str,
    /// The `:` after a heading.
    pub colon: &'static str,
    /// Between a label and its text (`condition: x`).
    pub label: &'static str,
    /// Around a ruleset's name after its title.
    pub paren: (&'static str, &'static str),
    /// What the trace calls each kind of step.
    pub steps: [(&'static str, &'static str); 5],
}

static EN: Words = Words {
    merchant: "merchant",
    rules: "rules",
    no_merchant_id: "(no merchant_id)",
    rule: "rule",
    no_rule_matched: "no rule matched (otherwise)",
    does_not_apply: "the ruleset does not apply",
    because: "because",
    not_met: ("not met (", ")"),
    required: "required",
    condition: "condition",
    untold: ("", " more conditions are not met"),
    now: "now ",
    trace: "trace",
    absent: "absent",
    yes: "true",
    no: "false",
    comma: ", ",
    colon: ":",
    label: ": ",
    paren: (" (", ")"),
    steps: [
        ("guard", "guard"),
        ("require", "require"),
        ("scope", "scope"),
        ("condition", "condition"),
        ("assign-when", "assign-when"),
    ],
};

static ZH: Words = Words {
    merchant: "商户",
    rules: "规则版本",
    no_merchant_id: "（无商户编号）",
    rule: "规则",
    no_rule_matched: "没有规则命中（otherwise）",
    does_not_apply: "本规则集不适用",
    because: "原因",
    not_met: ("未满足的条件（", " 项）"),
    required: "要求",
    condition: "条件",
    untold: ("另有 ", " 项条件未满足"),
    now: "当前 ",
    trace: "判定过程",
    absent: "缺失",
    yes: "成立",
    no: "不成立",
    comma: "，",
    colon: "：",
    label: "：",
    paren: ("（", "）"),
    steps: [
        ("guard", "适用条件"),
        ("require", "前提"),
        ("scope", "适用范围"),
        ("condition", "条件"),
        ("assign-when", "赋值条件"),
    ],
};

impl Words {
    /// What the trace calls a kind of step.
    pub(crate) fn step(&self, kind: &'static str) -> &'static str {
        self.steps
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(kind, |(_, w)| w)
    }
}
