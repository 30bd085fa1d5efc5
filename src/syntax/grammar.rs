//! The pest parser and the words its rule names stand for in messages.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/verdikt.pest"]
pub(crate) struct VerdiktParser;

/// What a grammar rule is called in a syntax error.
pub(crate) fn describe(r: Rule) -> &'static str {
    match r {
        Rule::EOI => "end of file",
        Rule::declaration | Rule::file | Rule::item => "`schema`, `calendar` or `ruleset`",
        Rule::ruleset_head => "`ruleset`",
        Rule::ident | Rule::segment => "a name",
        Rule::path => "a field name",
        Rule::calendar_name => "a calendar name",
        Rule::schema_item | Rule::field_decl => "a field declaration",
        Rule::requirement => "`require`",
        Rule::field_type | Rule::base_type => {
            "a type (`text`, `int`, `decimal`, `money`, `rate`, `bool`, `date`, `one of ...`)"
        }
        Rule::enum_type => "`one of`",
        Rule::enum_value => "an enum value",
        Rule::language_decl => "`language`",
        Rule::list_type => "`list of`",
        Rule::field_option => "a constraint (`in a..b`, `>= n`, `not empty`, `default v`)",
        Rule::range_option => "`in`",
        Rule::bound_option => "a comparison",
        Rule::not_empty_option => "`not empty`",
        Rule::default_option => "`default`",
        Rule::calendar_entry
        | Rule::covers
        | Rule::working_days
        | Rule::holidays
        | Rule::make_up_days
        | Rule::outside_days => "`covers`, `working`, `holidays`, `make-up` or `outside`",
        Rule::optional_kw => "`optional`",
        Rule::weekday_range | Rule::weekday => "a weekday",
        Rule::date_range | Rule::date => "a date (YYYY-MM-DD)",
        Rule::ruleset_item | Rule::ruleset_entry => {
            "`outcomes`, `output`, `applies`, `require`, `let`, `rule` or `otherwise`"
        }
        Rule::outcomes_decl => "`outcomes`",
        Rule::output_decl => "`output`",
        Rule::applies => "`applies when`",
        Rule::let_decl => "`let`",
        Rule::rule => "`rule`",
        Rule::scope => "`for`",
        Rule::then_clause => "`then`",
        Rule::else_clause => "`else`",
        Rule::otherwise => "`otherwise`",
        Rule::outcome_clause => "an outcome",
        Rule::assignment => "an assignment (`name = value`)",
        Rule::explain_unmet => "`explain unmet conditions of`",
        Rule::because => "`because`",
        Rule::because_when => "`when`",
        Rule::unmet_text => "`else \"...\"`",
        Rule::condition | Rule::group => "a condition",
        Rule::nested_group => "`all of [...]` or `any of [...]`",
        Rule::group_kind => "`all of` or `any of`",
        Rule::group_item => "a condition",
        Rule::expr | Rule::primary | Rule::paren => "an expression",
        Rule::infix => "an operator",
        Rule::compare_op | Rule::le | Rule::ge | Rule::ne | Rule::lt | Rule::gt | Rule::eq => {
            "a comparison"
        }
        Rule::or_op => "`or`",
        Rule::and_op => "`and`",
        Rule::add => "`+`",
        Rule::sub | Rule::neg => "`-`",
        Rule::mul => "`*`",
        Rule::div => "`/`",
        Rule::prefix => "`not` or `-`",
        Rule::not_op => "`not`",
        Rule::postfix | Rule::is_present | Rule::is_absent => "`is present` or `is absent`",
        Rule::in_list | Rule::not_in => "`in [...]`",
        Rule::if_expr => "`if ... then ... else ...`",
        Rule::call => "a function call",
        Rule::call_args | Rule::argument => "function arguments",
        Rule::calendar_ref => "`calendar <name>`",
        Rule::list => "a list `[...]`",
        Rule::literal => "a value",
        Rule::digits | Rule::number => "a number",
        Rule::exponent => "an exponent",
        Rule::percent => "a percentage",
        Rule::money => "an amount (`¥500,000`)",
        Rule::duration | Rule::duration_count | Rule::duration_unit => "a duration (`180 days`)",
        Rule::boolean => "`true` or `false`",
        Rule::string => "a string in double quotes",
        Rule::string_text | Rule::escape => "text",
        Rule::placeholder => "a `{placeholder}`",
        Rule::keyword => "a keyword",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::WHITESPACE | Rule::COMMENT => "white space",
        Rule::kw_schema => "`schema`",
        Rule::kw_calendar => "`calendar`",
        Rule::kw_ruleset => "`ruleset`",
        Rule::kw_rule => "`rule`",
        Rule::kw_let => "`let`",
        Rule::kw_when => "`when`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_otherwise => "`otherwise`",
        Rule::kw_because => "`because`",
        Rule::kw_applies => "`applies`",
        Rule::kw_for => "`for`",
        Rule::kw_is => "`is`",
        Rule::kw_present => "`present`",
        Rule::kw_absent => "`absent`",
        Rule::kw_of => "`of`",
        Rule::kw_one => "`one`",
        Rule::kw_optional => "`optional`",
        Rule::kw_require => "`require`",
        Rule::kw_output => "`output`",
        Rule::kw_explain => "`explain`",
        Rule::kw_unmet => "`unmet`",
        Rule::kw_conditions => "`conditions`",
        Rule::kw_if => "`if`",
        Rule::kw_default => "`default`",
        Rule::kw_list => "`list`",
        Rule::kw_empty => "`empty`",
        Rule::kw_in => "`in`",
        Rule::kw_not => "`not`",
        Rule::kw_working => "`working`",
        Rule::kw_holidays => "`holidays`",
        Rule::kw_make_up => "`make-up`",
        Rule::kw_covers => "`covers`",
        Rule::kw_outside => "`outside`",
        Rule::kw_outcomes => "`outcomes`",
        Rule::kw_language => "`language`",
        Rule::schema | Rule::calendar | Rule::ruleset => "a declaration",
    }
}

/// Keyword tokens carry no information once parsed; lowering skips them.
pub(crate) fn is_keyword_token(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_schema
            | Rule::kw_calendar
            | Rule::kw_ruleset
            | Rule::kw_rule
            | Rule::kw_let
            | Rule::kw_when
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_otherwise
            | Rule::kw_because
            | Rule::kw_applies
            | Rule::kw_for
            | Rule::kw_is
            | Rule::kw_present
            | Rule::kw_absent
            | Rule::kw_of
            | Rule::kw_one
            | Rule::kw_optional
            | Rule::kw_require
            | Rule::kw_output
            | Rule::kw_explain
            | Rule::kw_unmet
            | Rule::kw_conditions
            | Rule::kw_if
            | Rule::kw_default
            | Rule::kw_list
            | Rule::kw_empty
            | Rule::kw_in
            | Rule::kw_not
            | Rule::kw_working
            | Rule::kw_holidays
            | Rule::kw_make_up
            | Rule::kw_covers
            | Rule::kw_outside
            | Rule::kw_outcomes
            | Rule::kw_language
    )
}
