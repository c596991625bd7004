//! The console's words, in one table per language: every control, heading and label comes from
//! here, so each page says the same thing (登录 / 退出; 受理 / 重复 / 不予受理; 保存整改方案;
//! 上传整改证据; 验收通过 / 验收不通过; 批准 / 驳回 / 标记已发放; 签收 / 督办 / 销号 / 不予立案 —
//! DESIGN.md, "The faces"). A template reads a word as `{{ m.field }}`; askama checks the field
//! exists when the console compiles, and a language missing a word does not compile either.
//!
//! Adding a page: add its words as fields here (both tables), grouped under a comment naming
//! the page.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT_LANGUAGE;

/// The languages of the console. Chinese first; English by `Accept-Language` or the switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (default).
    Zh,
    /// English.
    En,
}

/// Cookie that remembers the language switch (`/console/lang/{zh|en}`).
pub const LANG_COOKIE: &str = "qingling_lang";

impl Lang {
    /// The language of a request: the switch's cookie, else the first language the browser
    /// names, Chinese when it names neither.
    pub fn of(req: &HttpRequest) -> Self {
        if let Some(c) = req.cookie(LANG_COOKIE) {
            match c.value() {
                "en" => return Self::En,
                "zh" => return Self::Zh,
                _ => {}
            }
        }
        let header = req
            .headers()
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Self::from_accept_language(header)
    }

    /// Picks from an `Accept-Language` value: the first of `zh*` or `en*` listed wins.
    pub fn from_accept_language(header: &str) -> Self {
        for part in header.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("en") {
                return Self::En;
            }
            if tag.starts_with("zh") {
                return Self::Zh;
            }
        }
        Self::Zh
    }

    /// The `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The words in this language.
    pub fn messages(self) -> &'static Messages {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// The code in the switch's URL.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// Picks the Chinese or the English of a pair (the API's error texts come as pairs).
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// Every word of the console.
#[derive(Debug)]
pub struct Messages {
    // --- the frame --------------------------------------------------------------------------
    /// Product name in the header.
    pub app_name: &'static str,
    /// What the product is, under the name.
    pub app_tagline: &'static str,
    /// Skip link for keyboard users.
    pub skip_to_content: &'static str,
    /// The main navigation's label.
    pub main_nav: &'static str,
    /// Label of the language switch (names the other language).
    pub switch_language: &'static str,
    /// "Signed in as".
    pub signed_in_as: &'static str,

    // --- the main controls (DESIGN.md, "The faces") ----------------------------------------
    /// 登录.
    pub login: &'static str,
    /// 退出.
    pub logout: &'static str,
    /// 受理.
    pub accept: &'static str,
    /// 重复.
    pub duplicate: &'static str,
    /// 不予受理.
    pub reject: &'static str,
    /// 保存整改方案.
    pub save_plan: &'static str,
    /// 上传整改证据.
    pub upload_evidence: &'static str,
    /// 验收通过.
    pub verify_pass: &'static str,
    /// 验收不通过.
    pub verify_fail: &'static str,
    /// 批准.
    pub approve: &'static str,
    /// 驳回.
    pub refuse: &'static str,
    /// 标记已发放.
    pub mark_paid: &'static str,
    /// 签收.
    pub acknowledge: &'static str,
    /// 督办.
    pub supervise: &'static str,
    /// 销号.
    pub close_out: &'static str,
    /// 不予立案.
    pub dismiss: &'static str,
    /// 筛选.
    pub filter: &'static str,
    /// 清除筛选.
    pub clear_filter: &'static str,
    /// 下一页.
    pub next_page: &'static str,
    /// 回到第一页.
    pub first_page: &'static str,
    /// 发送.
    pub send: &'static str,
    /// 保存.
    pub save: &'static str,
    /// 全部 (a filter's "any").
    pub any: &'static str,
    /// 返回.
    pub back: &'static str,

    // --- navigation: one entry per page module (pages/mod.rs) -------------------------------
    /// 概览.
    pub nav_overview: &'static str,
    /// 收件箱.
    pub nav_inbox: &'static str,
    /// 隐患台账.
    pub nav_ledger: &'static str,
    /// 排查.
    pub nav_sweeps: &'static str,
    /// 奖励.
    pub nav_rewards: &'static str,
    /// 导出.
    pub nav_exports: &'static str,
    /// 身份披露.
    pub nav_disclosures: &'static str,
    /// 清零看板.
    pub nav_board: &'static str,
    /// 督办事项.
    pub nav_escalations: &'static str,
    /// 申诉.
    pub nav_appeals: &'static str,
    /// 企业.
    pub nav_enterprises: &'static str,
    /// 用户.
    pub nav_users: &'static str,

    // --- sign-in ----------------------------------------------------------------------------
    /// Heading of the sign-in page.
    pub login_title: &'static str,
    /// 用户名.
    pub username: &'static str,
    /// 密码.
    pub password: &'static str,
    /// Shown after 退出.
    pub logged_out: &'static str,
    /// Shown when a session ended by timeout or revocation.
    pub session_ended: &'static str,
    /// A console for staff only.
    pub login_hint: &'static str,

    // --- errors -----------------------------------------------------------------------------
    /// 403 page heading.
    pub forbidden_title: &'static str,
    /// Why a cross-site or tokenless post was refused.
    pub forbidden_detail: &'static str,
    /// 404 page heading.
    pub not_found_title: &'static str,
    /// 404 explanation.
    pub not_found_detail: &'static str,
    /// Heading of an error box.
    pub error_title: &'static str,
    /// This role has no pages yet.
    pub no_pages_for_role: &'static str,

    // --- words shared by report and hazard pages ---------------------------------------------
    /// 状态.
    pub status: &'static str,
    /// 等级.
    pub level: &'static str,
    /// 区域.
    pub area: &'static str,
    /// 标题.
    pub title: &'static str,
    /// 描述.
    pub description: &'static str,
    /// 照片.
    pub photos: &'static str,
    /// 时间.
    pub time: &'static str,
    /// 来源.
    pub source: &'static str,
    /// 一般隐患.
    pub level_general: &'static str,
    /// 重大隐患.
    pub level_major: &'static str,
    /// 未标注.
    pub level_unset: &'static str,
    /// 判定标准.
    pub criteria: &'static str,
    /// 过程记录.
    pub timeline: &'static str,
    /// 日期 from.
    pub date_from: &'static str,
    /// 日期 to.
    pub date_to: &'static str,
    /// 无 (none).
    pub none: &'static str,
    /// Photo alt text prefix.
    pub photo_alt: &'static str,
    /// Enlarge a photo.
    pub open_full_photo: &'static str,

    // --- 收件箱 and the report page -------------------------------------------------------------
    /// Inbox heading.
    pub inbox_title: &'static str,
    /// Empty inbox.
    pub inbox_empty: &'static str,
    /// 提交时间.
    pub submitted_at: &'static str,
    /// 受理期限.
    pub triage_deadline: &'static str,
    /// 举报人.
    pub reporter: &'static str,
    /// 实名（身份已加密）.
    pub mode_confidential: &'static str,
    /// 匿名.
    pub mode_anonymous: &'static str,
    /// Report status names.
    pub report_submitted: &'static str,
    /// Accepted.
    pub report_accepted: &'static str,
    /// Duplicate.
    pub report_duplicate: &'static str,
    /// Rejected.
    pub report_rejected: &'static str,
    /// "overdue by".
    pub overdue_by: &'static str,
    /// "left".
    pub time_left: &'static str,
    /// "triaged after".
    pub triaged_after: &'static str,
    /// 疑似等级.
    pub suspected_level: &'static str,
    /// 举报人勾选的判定标准.
    pub reporter_criteria: &'static str,
    /// 与举报人的沟通.
    pub messages_title: &'static str,
    /// No messages.
    pub no_messages: &'static str,
    /// 回复举报人.
    pub reply_to_reporter: &'static str,
    /// Sender labels.
    pub sender_reporter: &'static str,
    /// Enterprise sender.
    pub sender_enterprise: &'static str,
    /// Bureau sender.
    pub sender_bureau: &'static str,
    /// 研判.
    pub triage_title: &'static str,
    /// 受理为新隐患.
    pub triage_accept_hint: &'static str,
    /// 与已有隐患重复.
    pub triage_duplicate_hint: &'static str,
    /// 不予受理，原因将告知举报人.
    pub triage_reject_hint: &'static str,
    /// 重复的隐患.
    pub duplicate_of: &'static str,
    /// 原因.
    pub reason: &'static str,
    /// Already triaged.
    pub already_triaged: &'static str,
    /// 查看隐患.
    pub view_hazard: &'static str,
    /// 选择判定标准 hint.
    pub criteria_hint: &'static str,
    /// Pseudonym explanation.
    pub pseudonym_hint: &'static str,
    /// Open hazards to choose from for 重复.
    pub pick_hazard: &'static str,

    // --- 隐患台账 and the hazard page -----------------------------------------------------------
    /// Ledger heading.
    pub ledger_title: &'static str,
    /// Empty ledger.
    pub ledger_empty: &'static str,
    /// 逾期.
    pub overdue: &'static str,
    /// 仅看逾期.
    pub only_overdue: &'static str,
    /// 来源 举报.
    pub source_report: &'static str,
    /// 来源 排查.
    pub source_sweep: &'static str,
    /// 季度.
    pub quarter: &'static str,
    /// 整改期限.
    pub deadline: &'static str,
    /// Hazard states.
    pub hazard_registered: &'static str,
    /// Rectifying.
    pub hazard_rectifying: &'static str,
    /// Awaiting verification.
    pub hazard_awaiting_verification: &'static str,
    /// Closed.
    pub hazard_closed: &'static str,
    /// 登记时间.
    pub registered_at: &'static str,
    /// 销号时间.
    pub closed_at: &'static str,
    /// 五落实整改方案.
    pub plan_title: &'static str,
    /// 整改措施.
    pub measures: &'static str,
    /// 责任人.
    pub responsible_person: &'static str,
    /// 整改资金（元）.
    pub funds_yuan: &'static str,
    /// 应急预案.
    pub contingency_plan: &'static str,
    /// All five required for a major hazard.
    pub plan_major_hint: &'static str,
    /// 方案版本.
    pub plan_version: &'static str,
    /// 整改证据.
    pub evidence_title: &'static str,
    /// 整改说明.
    pub evidence_note: &'static str,
    /// 选择照片.
    pub choose_photos: &'static str,
    /// 验收.
    pub verify_title: &'static str,
    /// 验收意见.
    pub verify_note: &'static str,
    /// The verifier must not be the responsible person.
    pub verify_hint: &'static str,
    /// 整改前.
    pub before: &'static str,
    /// 整改后.
    pub after: &'static str,
    /// 整改前后对比.
    pub before_after: &'static str,
    /// 历史方案.
    pub plan_history: &'static str,
    /// 来源举报.
    pub from_report: &'static str,
    /// 元.
    pub yuan: &'static str,
    /// Timeline: put on the ledger.
    pub ev_registered: &'static str,
    /// Timeline: a plan version saved.
    pub ev_plan: &'static str,
    /// Timeline: evidence submitted.
    pub ev_evidence: &'static str,
    /// Timeline: closed by the bureau.
    pub ev_bureau_closed: &'static str,
    /// No plan yet.
    pub no_plan: &'static str,
    /// No evidence yet.
    pub no_evidence: &'static str,
    /// Closed: nothing more to do.
    pub hazard_done: &'static str,

    // --- 排查 ---------------------------------------------------------------------------------
    /// Sweeps heading.
    pub sweeps_title: &'static str,
    /// 记录排查.
    pub record_sweep: &'static str,
    /// 带队人.
    pub sweep_leader: &'static str,
    /// 排查范围.
    pub sweep_scope: &'static str,
    /// 排查日期.
    pub sweep_date: &'static str,
    /// 登记排查发现的隐患.
    pub add_finding: &'static str,
    /// Sweep recorded.
    pub sweep_recorded: &'static str,
    /// 本次排查.
    pub this_sweep: &'static str,
    /// 发现的隐患.
    pub findings: &'static str,

    // --- roles (timelines say who acted by role) --------------------------------------------
    /// 安全管理人员.
    pub role_safety_manager: &'static str,
    /// 主要负责人.
    pub role_principal: &'static str,
    /// 身份保管人.
    pub role_custodian: &'static str,
    /// 监管部门.
    pub role_bureau_officer: &'static str,
    /// 平台管理员.
    pub role_admin: &'static str,
    /// 职工.
    pub role_worker: &'static str,
    /// 系统.
    pub role_system: &'static str,

    // --- 奖励 (pages/rewards.rs) ----------------------------------------------------------
    /// Heading of the rewards page.
    pub rewards_title: &'static str,
    /// Caption of the rewards table.
    pub rewards_caption: &'static str,
    /// No rewards match the filter.
    pub rewards_none: &'static str,
    /// Column: the report's pseudonym.
    pub reward_report: &'static str,
    /// Column: the amount.
    pub reward_amount: &'static str,
    /// Column: when proposed.
    pub reward_proposed_at: &'static str,
    /// Column: what can be done.
    pub reward_actions: &'static str,
    /// Status proposed.
    pub reward_proposed: &'static str,
    /// Status approved.
    pub reward_approved: &'static str,
    /// Status rejected.
    pub reward_rejected: &'static str,
    /// Status paid.
    pub reward_paid: &'static str,
    /// First valid report of the hazard.
    pub reward_kind_first: &'static str,
    /// A duplicate report.
    pub reward_kind_duplicate: &'static str,
    /// Why the amount was adjusted.
    pub reward_adjusted_because: &'static str,
    /// Why it was refused.
    pub reward_rejected_because: &'static str,
    /// Payout reference.
    pub reward_reference: &'static str,
    /// Held by the monthly cap until this month.
    pub reward_held_until: &'static str,
    /// Adjustment amount label.
    pub reward_new_amount: &'static str,
    /// 调整.
    pub reward_adjust: &'static str,
    /// The submit button inside 驳回's opened form (the summary already says 驳回).
    pub confirm_refuse: &'static str,
    /// The submit button inside 调整's opened form.
    pub confirm_adjust: &'static str,
    /// Heading after a payment is recorded.
    pub reward_paid_title: &'static str,
    /// Warning above the payout details, shown once.
    pub reward_payout_once: &'static str,
    /// Heading of the policy page.
    pub reward_policy_title: &'static str,
    /// The defaults are in force.
    pub reward_policy_default: &'static str,
    /// The version in force.
    pub reward_policy_version: &'static str,
    /// What the policy form does.
    pub reward_policy_hint: &'static str,
    /// Policy field.
    pub reward_general_yuan: &'static str,
    /// Policy field.
    pub reward_major_yuan: &'static str,
    /// Policy field.
    pub reward_threshold_yuan: &'static str,
    /// Policy field.
    pub reward_cap_yuan: &'static str,
    /// Policy field.
    pub reward_duplicates_share: &'static str,
    /// Save button.
    pub reward_policy_save: &'static str,

    // --- the 概览 --------------------------------------------------------------------
    /// Title of the 概览.
    pub overview_title: &'static str,
    /// Label of the tiles.
    pub overview_now: &'static str,
    /// The 清零 number.
    pub overview_open_major: &'static str,
    /// Under the number when it is zero.
    pub overview_cleared: &'static str,
    /// Under the number otherwise.
    pub overview_not_cleared: &'static str,
    /// Tile.
    pub overview_overdue_hazards: &'static str,
    /// Tile.
    pub overview_late_reports: &'static str,
    /// Tile.
    pub overview_average_days: &'static str,
    /// Under the average: how many it covers.
    pub overview_average_days_note: &'static str,
    /// Heading of the quarter's counts.
    pub overview_quarter: &'static str,
    /// Count.
    pub overview_closed_major_ever: &'static str,
    /// No hazard this quarter.
    pub overview_quarter_empty: &'static str,
    /// Caption of the by-area table.
    pub overview_by_area: &'static str,
    /// Heading of the chart.
    pub overview_chart: &'static str,
    /// Caption of the chart's table.
    pub overview_chart_table: &'static str,
    /// Column.
    pub overview_month: &'static str,
    /// Series.
    pub chart_registered: &'static str,
    /// Series.
    pub chart_closed: &'static str,
    /// The months' short names, January first.
    pub month_names: [&'static str; 12],
    /// A month with its year (`{y}`, `{m}`: the month's short name), for January and the
    /// chart's first month.
    pub month_of_year: &'static str,
    /// Hazards without an area.
    pub no_area: &'static str,

    // --- the custodians' disclosure pages ------------------------------------------
    /// Title.
    pub disclosures_title: &'static str,
    /// Under the title.
    pub disclosures_hint: &'static str,
    /// Heading.
    pub disclosures_waiting: &'static str,
    /// Empty list.
    pub disclosures_none_waiting: &'static str,
    /// Heading.
    pub disclosures_mine: &'static str,
    /// Empty list.
    pub disclosures_none_mine: &'static str,
    /// Heading.
    pub disclosures_others: &'static str,
    /// Button and heading.
    pub disclosure_request: &'static str,
    /// Field.
    pub disclosure_report: &'static str,
    /// Field.
    pub disclosure_reason: &'static str,
    /// Under the reason.
    pub disclosure_reason_hint: &'static str,
    /// Column.
    pub disclosure_requested_at: &'static str,
    /// Column.
    pub disclosure_decided_at: &'static str,
    /// Column of buttons.
    pub actions: &'static str,
    /// Button.
    pub disclosure_open: &'static str,
    /// Before the reveal.
    pub disclosure_open_warning: &'static str,
    /// Status.
    pub disclosure_requested: &'static str,
    /// Status.
    pub disclosure_approved: &'static str,
    /// Status.
    pub disclosure_refused: &'static str,
    /// Status.
    pub disclosure_opened: &'static str,
    /// Notice.
    pub disclosure_done_requested: &'static str,
    /// Notice.
    pub disclosure_done_approved: &'static str,
    /// Notice.
    pub disclosure_done_refused: &'static str,
    /// Title of the reveal.
    pub disclosure_reveal_title: &'static str,
    /// Warning heading.
    pub disclosure_reveal_warning_title: &'static str,
    /// Warning.
    pub disclosure_reveal_warning: &'static str,
    /// Field.
    pub identity_name: &'static str,
    /// Field.
    pub identity_employee_no: &'static str,
    /// Field.
    pub identity_phone: &'static str,
    /// Link.
    pub disclosure_back: &'static str,

    // --- 导出 and the report to the workers' congress --------------------------------
    /// Title.
    pub exports_title: &'static str,
    /// Heading.
    pub exports_by_quarter: &'static str,
    /// Heading.
    pub exports_by_range: &'static str,
    /// Field.
    pub exports_from: &'static str,
    /// Field.
    pub exports_to: &'static str,
    /// Button.
    pub exports_ledger_csv: &'static str,
    /// Button.
    pub exports_ledger_xlsx: &'static str,
    /// Button.
    pub exports_congress: &'static str,
    /// Button: the congress report as a spreadsheet.
    pub exports_congress_xlsx: &'static str,
    /// Heading.
    pub exports_rewards: &'static str,
    /// Button.
    pub exports_rewards_csv: &'static str,
    /// Button.
    pub exports_rewards_xlsx: &'static str,
    /// Title.
    pub congress_title: &'static str,
    /// Under the title.
    pub congress_basis: &'static str,
    /// Button.
    pub congress_print: &'static str,
    /// Count.
    pub congress_total: &'static str,
    /// Count.
    pub congress_closed: &'static str,
    /// Count.
    pub congress_open: &'static str,
    /// When the list is cut.
    pub congress_cut: &'static str,
    /// Empty.
    pub congress_none: &'static str,
    /// Column.
    pub congress_hazard: &'static str,
    /// Column.
    pub congress_source: &'static str,
    /// Column.
    pub congress_found: &'static str,
    /// Column.
    pub congress_measures: &'static str,
    /// Column.
    pub congress_deadline: &'static str,
    /// Column.
    pub congress_closed_on: &'static str,
    /// Badge.
    pub congress_overdue: &'static str,
    /// No plan yet.
    pub congress_no_plan: &'static str,

    // --- admin pages, posters, accounts (pages/admin_*.rs, posters.rs, workers.rs, account.rs)
    /// Poster page title.
    pub poster_title: &'static str,
    /// Toolbar label.
    pub poster_tools: &'static str,
    /// Back to the enterprise.
    pub poster_back: &'static str,
    /// Button.
    pub poster_print: &'static str,
    /// Link.
    pub poster_qr_svg: &'static str,
    /// Link.
    pub poster_qr_png: &'static str,
    /// Toolbar hint.
    pub poster_print_hint: &'static str,
    /// Above the slogan.
    pub poster_brand_line: &'static str,
    /// Slogan.
    pub poster_scan: &'static str,
    /// Slogan.
    pub poster_anonymous: &'static str,
    /// Slogan.
    pub poster_reward: &'static str,
    /// QR image alt.
    pub poster_qr_alt: &'static str,
    /// Under the QR code.
    pub poster_qr_caption: &'static str,
    /// Rewards section label.
    pub poster_rewards_label: &'static str,
    /// Reward label.
    pub poster_general: &'static str,
    /// Reward label.
    pub poster_major: &'static str,
    /// Under the amounts.
    pub poster_reward_rule: &'static str,
    /// Step.
    pub poster_step1: &'static str,
    /// Step detail.
    pub poster_step1_more: &'static str,
    /// Step.
    pub poster_step2: &'static str,
    /// Step detail.
    pub poster_step2_more: &'static str,
    /// Step.
    pub poster_step3: &'static str,
    /// Step detail.
    pub poster_step3_more: &'static str,
    /// Rights line.
    pub poster_rights: &'static str,
    /// Navigation (admin).
    pub nav_admin_enterprises: &'static str,
    /// Navigation (enterprise staff).
    pub nav_site: &'static str,
    /// Heading.
    pub admin_enterprises_title: &'static str,
    /// Heading.
    pub admin_enterprises_list: &'static str,
    /// Empty list.
    pub admin_enterprises_none: &'static str,
    /// Button and heading.
    pub enterprise_create: &'static str,
    /// Field.
    pub enterprise_name: &'static str,
    /// Field.
    pub enterprise_credit_code: &'static str,
    /// Under the field.
    pub enterprise_credit_code_hint: &'static str,
    /// Field.
    pub enterprise_sector: &'static str,
    /// Field.
    pub enterprise_jurisdiction: &'static str,
    /// Under the field.
    pub enterprise_jurisdiction_hint: &'static str,
    /// Field.
    pub enterprise_intake_code: &'static str,
    /// Button.
    pub enterprise_poster: &'static str,
    /// Button.
    pub enterprise_users: &'static str,
    /// Sector.
    pub sector_steel: &'static str,
    /// Sector.
    pub sector_nonferrous: &'static str,
    /// Column.
    pub created_at: &'static str,
    /// Heading.
    pub areas_title: &'static str,
    /// Empty list.
    pub areas_none: &'static str,
    /// Field.
    pub area_name: &'static str,
    /// Field.
    pub area_description: &'static str,
    /// Column.
    pub area_poster: &'static str,
    /// Link.
    pub area_poster_open: &'static str,
    /// Button and heading.
    pub area_create: &'static str,
    /// Navigation (admin).
    pub nav_admin_users: &'static str,
    /// Heading.
    pub admin_users_title: &'static str,
    /// Empty list.
    pub admin_users_none: &'static str,
    /// Field.
    pub user_username: &'static str,
    /// Field.
    pub user_display_name: &'static str,
    /// Field.
    pub user_role: &'static str,
    /// Column.
    pub user_place: &'static str,
    /// Field.
    pub user_enterprise: &'static str,
    /// Under the field.
    pub user_enterprise_hint: &'static str,
    /// Under the field.
    pub user_jurisdiction_hint: &'static str,
    /// Option.
    pub user_no_enterprise: &'static str,
    /// Field.
    pub user_phone: &'static str,
    /// Field.
    pub user_employee_no: &'static str,
    /// Field.
    pub user_initial_password: &'static str,
    /// Under the field.
    pub user_password_hint: &'static str,
    /// Button and heading.
    pub user_create: &'static str,
    /// After the admin's own row.
    pub user_you: &'static str,
    /// Status.
    pub user_active: &'static str,
    /// Status.
    pub user_inactive: &'static str,
    /// Status note.
    pub user_must_change: &'static str,
    /// Button.
    pub user_deactivate: &'static str,
    /// Confirmation.
    pub user_deactivate_confirm: &'static str,
    /// Button.
    pub user_reactivate: &'static str,
    /// Button.
    pub user_reset: &'static str,
    /// Field.
    pub user_temp_password: &'static str,
    /// Notice.
    pub user_done_created: &'static str,
    /// Notice.
    pub user_done_deactivated: &'static str,
    /// Notice.
    pub user_done_reactivated: &'static str,
    /// Notice.
    pub user_done_reset: &'static str,
    /// Heading and link.
    pub import_title: &'static str,
    /// Table caption.
    pub import_problems: &'static str,
    /// Column.
    pub import_where: &'static str,
    /// Column.
    pub import_what: &'static str,
    /// Before a line number.
    pub import_line_before: &'static str,
    /// After a line number.
    pub import_line_after: &'static str,
    /// Heading.
    pub import_how: &'static str,
    /// Explanation.
    pub import_columns: &'static str,
    /// Hint.
    pub import_all_or_nothing: &'static str,
    /// Field.
    pub import_file: &'static str,
    /// Button.
    pub import_submit: &'static str,
    /// Page title.
    pub slips_title: &'static str,
    /// Button.
    pub slips_print: &'static str,
    /// Before the count.
    pub slips_imported: &'static str,
    /// Toolbar hint.
    pub slips_once: &'static str,
    /// Slip heading.
    pub slips_heading: &'static str,
    /// On the slip.
    pub slips_how: &'static str,
    /// Before the expiry.
    pub slips_until: &'static str,
    /// On the slip.
    pub slips_keep: &'static str,
    /// On the slip.
    pub user_employee_no_short: &'static str,
    /// Navigation (admin).
    pub nav_admin_criteria: &'static str,
    /// Heading.
    pub criteria_title: &'static str,
    /// Filter.
    pub criteria_show_for: &'static str,
    /// Option.
    pub criteria_shared_only: &'static str,
    /// Field.
    pub criteria_code: &'static str,
    /// Under the field.
    pub criteria_code_hint: &'static str,
    /// Column.
    pub criteria_summary: &'static str,
    /// Field.
    pub criteria_summary_zh: &'static str,
    /// Field.
    pub criteria_summary_en: &'static str,
    /// Field.
    pub criteria_article: &'static str,
    /// Badge.
    pub criteria_own: &'static str,
    /// Button and heading.
    pub criteria_add: &'static str,
    /// Sector.
    pub sector_all: &'static str,
    /// Navigation (admin).
    pub nav_admin_system: &'static str,
    /// Heading.
    pub system_title: &'static str,
    /// Heading.
    pub keys_title: &'static str,
    /// Field.
    pub keys_versions: &'static str,
    /// Field.
    pub keys_sealing: &'static str,
    /// Field.
    pub keys_index: &'static str,
    /// Note.
    pub keys_index_retired: &'static str,
    /// Field.
    pub keys_source: &'static str,
    /// Hint.
    pub keys_hint: &'static str,
    /// Heading.
    pub outbox_title: &'static str,
    /// Hint.
    pub outbox_hint: &'static str,
    /// Empty list.
    pub outbox_none: &'static str,
    /// Column.
    pub outbox_topic: &'static str,
    /// Column.
    pub outbox_event: &'static str,
    /// Column.
    pub outbox_attempts: &'static str,
    /// Column.
    pub outbox_last_error: &'static str,
    /// Button.
    pub outbox_retry: &'static str,
    /// Notice.
    pub outbox_retried: &'static str,
    /// Navigation (everyone).
    pub nav_account: &'static str,
    /// Heading.
    pub account_title: &'static str,
    /// Warning.
    pub account_forced: &'static str,
    /// Notice.
    pub account_done: &'static str,
    /// Field.
    pub account_current: &'static str,
    /// Field.
    pub account_new: &'static str,
    /// Hint.
    pub account_new_hint: &'static str,
    /// Field.
    pub account_repeat: &'static str,
    /// Button.
    pub account_submit: &'static str,
    // --- bureau officer pages (pages/bureau_*.rs) ----------------------------------------
    /// Title of the 清零看板.
    pub board_title: &'static str,
    /// The big number.
    pub board_open_major: &'static str,
    /// After “n/total”.
    pub board_cleared_of: &'static str,
    /// Tile.
    pub board_overdue_major: &'static str,
    /// Tile.
    pub board_open_escalations: &'static str,
    /// Caption of the table.
    pub board_enterprises: &'static str,
    /// Column.
    pub board_enterprise: &'static str,
    /// Column.
    pub board_col_open: &'static str,
    /// Column.
    pub board_col_overdue: &'static str,
    /// Column.
    pub board_col_closed: &'static str,
    /// Column.
    pub board_col_escalations: &'static str,
    /// Column.
    pub board_col_days: &'static str,
    /// Column.
    pub board_col_zero: &'static str,
    /// A row at zero.
    pub board_cleared: &'static str,
    /// A row not at zero: before the number.
    pub board_still_open: &'static str,
    /// Under the table.
    pub board_sort_hint: &'static str,
    /// Button.
    pub board_download: &'static str,
    /// Heading of the chart.
    pub board_chart: &'static str,
    /// Caption of the chart's table.
    pub board_chart_table: &'static str,
    /// Chart key.
    pub chart_opened: &'static str,
    /// Chart key.
    pub chart_done: &'static str,
    /// No enterprise.
    pub board_empty: &'static str,
    /// Totals row.
    pub board_total: &'static str,
    /// After a number of days.
    pub board_day_unit: &'static str,
    /// Before the time of the numbers.
    pub board_as_of: &'static str,
    /// Heading.
    pub ent_open_list: &'static str,
    /// Filter link.
    pub ent_only_overdue: &'static str,
    /// Filter link.
    pub ent_show_all: &'static str,
    /// Empty list.
    pub ent_none: &'static str,
    /// Link.
    pub ent_escalations: &'static str,
    /// When the list is cut.
    pub ent_list_cut: &'static str,
    /// Heading of an enterprise's closed (销号) major hazards.
    pub ent_closed_list: &'static str,
    /// Link to that list.
    pub ent_show_closed: &'static str,
    /// When it has none.
    pub ent_none_closed: &'static str,
    /// When only the newest are listed.
    pub ent_closed_cut: &'static str,
    /// Title of the list.
    pub esc_title: &'static str,
    /// Filter choice.
    pub esc_active: &'static str,
    /// Status.
    pub esc_open: &'static str,
    /// Status.
    pub esc_acknowledged: &'static str,
    /// Status.
    pub esc_supervising: &'static str,
    /// Status.
    pub esc_closed: &'static str,
    /// Status.
    pub esc_dismissed: &'static str,
    /// Column.
    pub esc_subject: &'static str,
    /// Column.
    pub esc_triggers: &'static str,
    /// Column.
    pub esc_opened_at: &'static str,
    /// Column.
    pub esc_deadline: &'static str,
    /// Filter.
    pub esc_only_overdue: &'static str,
    /// Badge.
    pub esc_past_deadline: &'static str,
    /// Button.
    pub esc_download: &'static str,
    /// Empty list.
    pub esc_empty: &'static str,
    /// Subject type.
    pub subject_report: &'static str,
    /// Subject type.
    pub subject_hazard: &'static str,
    /// Trigger.
    pub trig_major_report_untriaged: &'static str,
    /// Trigger.
    pub trig_report_untriaged: &'static str,
    /// Trigger.
    pub trig_appeal: &'static str,
    /// Trigger.
    pub trig_plan_missing: &'static str,
    /// Trigger.
    pub trig_plan_overdue: &'static str,
    /// Trigger.
    pub trig_bureau_deadline_passed: &'static str,
    /// Trigger.
    pub trig_other: &'static str,
    /// Fact and field.
    pub esc_instructions: &'static str,
    /// Fact.
    pub esc_dismiss_reason: &'static str,
    /// Fact.
    pub esc_done_at: &'static str,
    /// Heading.
    pub esc_subject_report: &'static str,
    /// Heading.
    pub esc_subject_hazard: &'static str,
    /// Fact.
    pub esc_report_status: &'static str,
    /// Heading.
    pub esc_subject_timeline: &'static str,
    /// Heading.
    pub esc_events: &'static str,
    /// Heading.
    pub esc_actions: &'static str,
    /// Hint.
    pub esc_ack_hint: &'static str,
    /// Field.
    pub esc_deadline_date: &'static str,
    /// Hint.
    pub esc_supervise_hint: &'static str,
    /// Hint.
    pub esc_close_hint: &'static str,
    /// Hint.
    pub esc_dismiss_hint: &'static str,
    /// Field.
    pub esc_message: &'static str,
    /// Notice.
    pub esc_finished: &'static str,
    /// Link.
    pub esc_appeal_link: &'static str,
    /// Before evidence time.
    pub esc_evidence_at: &'static str,
    /// Event.
    pub ev_esc_opened: &'static str,
    /// Event.
    pub ev_esc_trigger: &'static str,
    /// Event.
    pub ev_esc_acknowledged: &'static str,
    /// Event.
    pub ev_esc_supervising: &'static str,
    /// Event.
    pub ev_esc_closed: &'static str,
    /// Event.
    pub ev_esc_dismissed: &'static str,
    /// Event.
    pub ev_esc_message: &'static str,
    /// Event.
    pub ev_esc_to_reporter: &'static str,
    /// Event.
    pub ev_esc_reporter_message: &'static str,
    /// Title.
    pub appeals_title: &'static str,
    /// Empty list.
    pub appeals_empty: &'static str,
    /// Title of one appeal.
    pub appeal_title: &'static str,
    /// Under the heading.
    pub appeal_identity_note: &'static str,
    /// Heading.
    pub appeal_conversation: &'static str,
    /// Label of the appeal's text.
    pub appeal_reason: &'static str,
    /// Field.
    pub appeal_reply: &'static str,
    /// Hint.
    pub appeal_reply_hint: &'static str,
    /// Link.
    pub appeal_escalation_link: &'static str,
    /// Column.
    pub appeal_last: &'static str,
}

/// 简体中文.
pub static ZH: Messages = Messages {
    app_name: "清零",
    app_tagline: "隐患举报与整改",
    skip_to_content: "跳到正文",
    main_nav: "主导航",
    switch_language: "English",
    signed_in_as: "当前用户",
    login: "登录",
    logout: "退出",
    accept: "受理",
    duplicate: "重复",
    reject: "不予受理",
    save_plan: "保存整改方案",
    upload_evidence: "上传整改证据",
    verify_pass: "验收通过",
    verify_fail: "验收不通过",
    approve: "批准",
    refuse: "驳回",
    mark_paid: "标记已发放",
    acknowledge: "签收",
    supervise: "督办",
    close_out: "销号",
    dismiss: "不予立案",
    filter: "筛选",
    clear_filter: "清除筛选",
    next_page: "下一页",
    first_page: "回到第一页",
    send: "发送",
    save: "保存",
    any: "全部",
    back: "返回",
    nav_overview: "概览",
    nav_inbox: "收件箱",
    nav_ledger: "隐患台账",
    nav_sweeps: "排查",
    nav_rewards: "奖励",
    nav_exports: "导出",
    nav_disclosures: "身份披露",
    nav_board: "清零看板",
    nav_escalations: "督办事项",
    nav_appeals: "申诉",
    nav_enterprises: "企业",
    nav_users: "用户",
    login_title: "管理人员登录",
    username: "用户名",
    password: "密码",
    logged_out: "您已退出。",
    session_ended: "会话已结束，请重新登录。",
    login_hint: "本系统仅供企业安全管理人员、监管部门和平台管理员使用。",
    forbidden_title: "请求被拒绝",
    forbidden_detail: "此操作须从本系统的页面提交。请回到页面后重试。",
    not_found_title: "未找到",
    not_found_detail: "没有这个页面，或您无权查看。",
    error_title: "未能完成",
    no_pages_for_role: "您的角色在控制台中暂无页面。",
    status: "状态",
    level: "等级",
    area: "区域",
    title: "标题",
    description: "描述",
    photos: "照片",
    time: "时间",
    source: "来源",
    level_general: "一般隐患",
    level_major: "重大隐患",
    level_unset: "未标注",
    criteria: "判定标准",
    timeline: "过程记录",
    date_from: "起始日期",
    date_to: "截止日期",
    none: "无",
    photo_alt: "现场照片",
    open_full_photo: "查看原图",
    inbox_title: "收件箱",
    inbox_empty: "没有符合条件的举报。",
    submitted_at: "提交时间",
    triage_deadline: "受理期限",
    reporter: "举报人",
    mode_confidential: "实名（身份已加密）",
    mode_anonymous: "匿名",
    report_submitted: "待受理",
    report_accepted: "已受理",
    report_duplicate: "重复",
    report_rejected: "不予受理",
    overdue_by: "已超期",
    time_left: "剩余",
    triaged_after: "研判用时",
    suspected_level: "疑似等级",
    reporter_criteria: "举报人勾选的判定标准",
    messages_title: "与举报人的沟通",
    no_messages: "暂无消息。",
    reply_to_reporter: "回复举报人",
    sender_reporter: "举报人",
    sender_enterprise: "企业",
    sender_bureau: "监管部门",
    triage_title: "研判",
    triage_accept_hint: "登记为新的隐患，上台账。",
    triage_duplicate_hint: "与台账上已有的隐患相同，关联到该隐患。",
    triage_reject_hint: "不是隐患。原因会告知举报人，举报人可向监管部门申诉。",
    duplicate_of: "重复的隐患",
    reason: "原因",
    already_triaged: "该举报已研判。",
    view_hazard: "查看隐患",
    criteria_hint: "勾选任一判定标准即为重大隐患。",
    pseudonym_hint: "化名仅用于本条举报，不代表举报人身份。",
    pick_hazard: "选择台账上未销号的隐患",
    ledger_title: "隐患台账",
    ledger_empty: "没有符合条件的隐患。",
    overdue: "逾期",
    only_overdue: "仅看逾期",
    source_report: "职工举报",
    source_sweep: "季度排查",
    quarter: "季度",
    deadline: "整改期限",
    hazard_registered: "已登记",
    hazard_rectifying: "整改中",
    hazard_awaiting_verification: "待验收",
    hazard_closed: "已销号",
    registered_at: "登记时间",
    closed_at: "销号时间",
    plan_title: "五落实整改方案",
    measures: "整改措施",
    responsible_person: "责任人",
    funds_yuan: "整改资金（元）",
    contingency_plan: "应急预案",
    plan_major_hint: "重大隐患须五项全部填写：措施、责任人、资金、期限、预案。",
    plan_version: "方案版本",
    evidence_title: "整改证据",
    evidence_note: "整改说明",
    choose_photos: "照片（最多 5 张）",
    verify_title: "验收",
    verify_note: "验收意见",
    verify_hint: "验收人不能是整改责任人。验收不通过须写明原因，隐患退回整改。",
    before: "整改前",
    after: "整改后",
    before_after: "整改前后对比",
    plan_history: "历史方案",
    from_report: "来源举报",
    yuan: "元",
    ev_registered: "登记上账",
    ev_plan: "保存整改方案",
    ev_evidence: "提交整改证据",
    ev_bureau_closed: "监管部门销号",
    no_plan: "尚未制定整改方案。",
    no_evidence: "尚未提交整改证据。",
    hazard_done: "该隐患已销号。",
    sweeps_title: "季度排查",
    record_sweep: "记录排查",
    sweep_leader: "带队人",
    sweep_scope: "排查范围",
    sweep_date: "排查日期",
    add_finding: "登记排查发现的隐患",
    sweep_recorded: "排查已记录。可继续登记本次发现的隐患。",
    this_sweep: "本次排查",
    findings: "发现的隐患",
    role_safety_manager: "安全管理人员",
    role_principal: "主要负责人",
    role_custodian: "身份保管人",
    role_bureau_officer: "监管部门",
    role_admin: "平台管理员",
    role_worker: "职工",
    role_system: "系统",

    // --- 奖励 (pages/rewards.rs) --
    rewards_title: "奖励",
    rewards_caption: "举报奖励（只显示报告代号，不显示举报人）",
    rewards_none: "没有符合条件的奖励。",
    reward_report: "报告代号",
    reward_amount: "金额",
    reward_proposed_at: "提议时间",
    reward_actions: "操作",
    reward_proposed: "待批准",
    reward_approved: "已批准待发放",
    reward_rejected: "已驳回",
    reward_paid: "已发放",
    reward_kind_first: "首报",
    reward_kind_duplicate: "重复报告",
    reward_adjusted_because: "调整原因",
    reward_rejected_because: "驳回原因",
    reward_reference: "发放凭证号",
    reward_held_until: "因每月上限暂缓发放，可于此月发放：",
    reward_new_amount: "新金额（元）",
    reward_adjust: "调整",
    confirm_refuse: "确认驳回",
    confirm_adjust: "确认调整",
    reward_paid_title: "已记录发放",
    reward_payout_once: "以下领取信息只显示这一次：本次查看已记入审计日志，并会告知举报人查看的时间和角色。请立即按此发放，不要抄存或转发。",
    reward_policy_title: "奖励标准",
    reward_policy_default: "现行：系统默认标准（尚未设置）。",
    reward_policy_version: "现行版本",
    reward_policy_hint: "金额以元为单位。只有主要负责人可以修改；已提议的奖励按提议时的版本计算。",
    reward_general_yuan: "一般隐患奖励（元）",
    reward_major_yuan: "重大隐患奖励（元）",
    reward_threshold_yuan: "超过此金额须主要负责人批准（元）",
    reward_cap_yuan: "每名实名举报人每月上限（元）",
    reward_duplicates_share: "重复报告也给予奖励",
    reward_policy_save: "保存奖励标准",
    overview_title: "概览",
    overview_now: "当前状况",
    overview_open_major: "未销号重大隐患",
    overview_cleared: "已清零",
    overview_not_cleared: "须全部整改销号，动态清零",
    overview_overdue_hazards: "逾期未整改隐患",
    overview_late_reports: "超期未受理举报",
    overview_average_days: "平均销号天数",
    overview_average_days_note: "近12个月销号数",
    overview_quarter: "本季度登记隐患",
    overview_closed_major_ever: "累计销号重大隐患",
    overview_quarter_empty: "本季度尚无隐患登记。",
    overview_by_area: "按区域",
    overview_chart: "近12个月隐患登记与销号",
    overview_chart_table: "逐月数据",
    overview_month: "月份",
    chart_registered: "登记",
    chart_closed: "销号",
    month_names: [
        "1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月",
    ],
    month_of_year: "{y}年{m}",
    no_area: "未指定区域",
    disclosures_title: "身份披露",
    disclosures_hint: "披露实名举报人身份须写明理由，并由另一位身份保管人批准；每次查看都记入审计，并告知举报人。",
    disclosures_waiting: "待我审批",
    disclosures_none_waiting: "没有待您审批的申请。",
    disclosures_mine: "我提出的申请",
    disclosures_none_mine: "您还没有提出申请。",
    disclosures_others: "其他申请",
    disclosure_request: "申请披露身份",
    disclosure_report: "举报编号",
    disclosure_reason: "申请理由",
    disclosure_reason_hint: "理由将展示给审批人，并告知举报人（至少 5 个字）。",
    disclosure_requested_at: "申请时间",
    disclosure_decided_at: "审批时间",
    actions: "操作",
    disclosure_open: "查看身份（仅一次）",
    disclosure_open_warning: "批准后，申请人可查看一次身份；查看记入审计并告知举报人，页面不会保存，离开后无法再次打开。",
    disclosure_requested: "待审批",
    disclosure_approved: "已批准，待查看",
    disclosure_refused: "已驳回",
    disclosure_opened: "已查看",
    disclosure_done_requested: "申请已提交，等待另一位身份保管人审批。",
    disclosure_done_approved: "已批准。申请人可查看一次。",
    disclosure_done_refused: "已驳回。",
    disclosure_reveal_title: "举报人身份（仅此一次）",
    disclosure_reveal_warning_title: "注意：",
    disclosure_reveal_warning: "此次查看已记入审计，并将告知举报人。请勿截图、复制或转告无关人员；离开本页后无法再次查看。",
    identity_name: "姓名",
    identity_employee_no: "工号",
    identity_phone: "手机号",
    disclosure_back: "返回身份披露",
    exports_title: "导出",
    exports_by_quarter: "按季度",
    exports_by_range: "按日期范围",
    exports_from: "起始日期",
    exports_to: "截止日期",
    exports_ledger_csv: "下载隐患台账 CSV",
    exports_ledger_xlsx: "下载隐患台账 XLSX",
    exports_congress: "职代会重大隐患报告",
    exports_congress_xlsx: "职代会报告 XLSX",
    exports_rewards: "奖励台账",
    exports_rewards_csv: "下载奖励台账 CSV",
    exports_rewards_xlsx: "下载奖励台账 XLSX",
    congress_title: "重大事故隐患排查治理情况报告",
    congress_basis: "依据《安全生产法》第四十一条，向职工大会或者职工代表大会报告本季度重大事故隐患及其治理情况。",
    congress_print: "打印",
    congress_total: "本季度重大隐患",
    congress_closed: "已销号",
    congress_open: "未销号",
    congress_cut: "本季度重大隐患过多，仅列出前 2000 项，完整清单请下载隐患台账。",
    congress_none: "本季度没有登记重大隐患。",
    congress_hazard: "隐患名称",
    congress_source: "来源",
    congress_found: "发现日期",
    congress_measures: "整改措施",
    congress_deadline: "整改期限",
    congress_closed_on: "销号日期",
    congress_overdue: "逾期",
    congress_no_plan: "尚未制定整改方案",
    poster_title: "隐患举报海报",
    poster_tools: "海报工具",
    poster_back: "返回企业页",
    poster_print: "打印海报",
    poster_qr_svg: "下载二维码（SVG）",
    poster_qr_png: "下载二维码（PNG）",
    poster_print_hint: "A4 纵向打印，勾选“背景图形”，边距选“无”。",
    poster_brand_line: "安全生产 人人有责",
    poster_scan: "扫码报告隐患",
    poster_anonymous: "可匿名",
    poster_reward: "有奖励",
    poster_qr_alt: "报告隐患的二维码",
    poster_qr_caption: "微信或手机相机扫码，无需注册",
    poster_rewards_label: "奖励标准",
    poster_general: "一般隐患",
    poster_major: "重大隐患",
    poster_reward_rule: "报告经核实受理后，按企业现行奖励办法审批发放。",
    poster_step1: "扫码",
    poster_step1_more: "打开报告页，可不留姓名",
    poster_step2: "拍照",
    poster_step2_more: "拍下隐患，写明位置",
    poster_step3: "保存回执码",
    poster_step3_more: "凭码查询进度、领取奖励",
    poster_rights: "《安全生产法》第五十四条：从业人员有权对安全生产问题提出批评、检举、控告，单位不得因此降低其工资、福利等待遇或者解除劳动合同。",
    nav_admin_enterprises: "企业",
    nav_site: "区域与海报",
    admin_enterprises_title: "企业管理",
    admin_enterprises_list: "已登记企业",
    admin_enterprises_none: "还没有登记任何企业。",
    enterprise_create: "登记企业",
    enterprise_name: "企业名称",
    enterprise_credit_code: "统一社会信用代码",
    enterprise_credit_code_hint: "18 位，系统会校验最后一位校验码。",
    enterprise_sector: "行业",
    enterprise_jurisdiction: "所属辖区",
    enterprise_jurisdiction_hint: "辖区路径，如 jiangbei/gongyeyuan。",
    enterprise_intake_code: "举报码",
    enterprise_poster: "企业举报海报",
    enterprise_users: "本企业用户",
    sector_steel: "钢铁",
    sector_nonferrous: "有色金属",
    created_at: "创建时间",
    areas_title: "区域",
    areas_none: "还没有区域。添加区域后，可为每个区域打印带二维码的海报。",
    area_name: "区域名称",
    area_description: "说明",
    area_poster: "海报",
    area_poster_open: "打印海报",
    area_create: "添加区域",
    nav_admin_users: "用户",
    admin_users_title: "用户管理",
    admin_users_none: "没有符合条件的用户。",
    user_username: "登录名",
    user_display_name: "姓名（工作人员）",
    user_role: "角色",
    user_place: "所属企业或辖区",
    user_enterprise: "所属企业",
    user_enterprise_hint: "企业角色（职工、安全管理员、负责人、保管人）必填。",
    user_jurisdiction_hint: "监管人员必填，如 jiangbei/gongyeyuan。",
    user_no_enterprise: "（不属于企业）",
    user_phone: "手机号（加密保存）",
    user_employee_no: "工号（加密保存）",
    user_initial_password: "初始密码",
    user_password_hint: "10–128 个字符，请当面或电话告知本人。",
    user_create: "创建用户",
    user_you: "当前登录",
    user_active: "启用",
    user_inactive: "已停用",
    user_must_change: "下次登录须修改密码",
    user_deactivate: "停用",
    user_deactivate_confirm: "停用后，此用户的所有登录会话和令牌立即失效。确定停用？",
    user_reactivate: "启用",
    user_reset: "重置密码",
    user_temp_password: "临时密码",
    user_done_created: "用户已创建。",
    user_done_deactivated: "用户已停用，其会话和令牌已全部失效。",
    user_done_reactivated: "用户已启用，需重新登录。",
    user_done_reset: "密码已重置。用户下次登录时必须先设置新密码。",
    import_title: "导入职工",
    import_problems: "以下行有误，未导入任何人员：",
    import_where: "位置",
    import_what: "问题",
    import_line_before: "第 ",
    import_line_after: " 行",
    import_how: "上传职工名单",
    import_columns: "XLSX（第一个工作表）或 UTF-8 编码的 CSV，第一行为表头：工号、姓名（必填），手机号、区域（选填，区域须是本企业已有区域的名称）。",
    import_all_or_nothing: "全部正确才导入：有任何一行出错，会逐行列出问题，且不导入任何人员。成功后生成每人一张激活凭条（每张 A4 打印 8 张）。",
    import_file: "名单文件",
    import_submit: "导入并生成激活凭条",
    slips_title: "职工激活凭条",
    slips_print: "打印凭条",
    slips_imported: "已导入人数：",
    slips_once: "激活码只显示这一次，请现在打印并当面发给本人。",
    slips_heading: "隐患随手拍 · 账号激活",
    slips_how: "手机打开以下地址，输入激活码并设置密码：",
    slips_until: "有效期至",
    slips_keep: "仅限本人使用，请勿转交",
    user_employee_no_short: "工号",
    nav_admin_criteria: "判定标准",
    criteria_title: "重大隐患判定标准",
    criteria_show_for: "显示",
    criteria_shared_only: "仅通用标准",
    criteria_code: "代码",
    criteria_code_hint: "3–32 位大写字母、数字或 -，不能以 MEM10- 开头。",
    criteria_summary: "内容",
    criteria_summary_zh: "内容（中文）",
    criteria_summary_en: "内容（英文）",
    criteria_article: "依据",
    criteria_own: "企业自定",
    criteria_add: "添加判定标准",
    sector_all: "全部行业",
    nav_admin_system: "系统",
    system_title: "系统状态",
    keys_title: "主密钥",
    keys_versions: "已加载的版本",
    keys_sealing: "当前用于加密的版本",
    keys_index: "盲索引与回执码所用版本",
    keys_index_retired: "已退出加密，仅以密封副本保存在数据库中",
    keys_source: "密钥来源",
    keys_hint: "轮换：加入新版本（如 2:BASE64）后重启，再运行 qingling keys rewrap；完成后可移除旧版本。此页从不显示密钥本身。",
    outbox_title: "投递失败的消息（死信）",
    outbox_hint: "多次投递仍被接收方拒绝的推送。排除接收方问题后，可重新投递。",
    outbox_none: "没有死信。",
    outbox_topic: "主题",
    outbox_event: "事件编号",
    outbox_attempts: "尝试次数",
    outbox_last_error: "最后一次错误",
    outbox_retry: "重新投递",
    outbox_retried: "已放回投递队列。",
    nav_account: "修改密码",
    account_title: "修改密码",
    account_forced: "管理员已重置您的密码。请先设置自己的新密码，之后才能使用其他功能。",
    account_done: "密码已修改。其他设备上的登录和令牌已全部失效。",
    account_current: "当前密码",
    account_new: "新密码",
    account_new_hint: "10–128 个字符。",
    account_repeat: "再次输入新密码",
    account_submit: "修改密码",
    board_title: "清零看板",
    board_open_major: "辖区未销号重大隐患",
    board_cleared_of: "家企业动态清零",
    board_overdue_major: "逾期重大隐患",
    board_open_escalations: "未办结督办事项",
    board_enterprises: "辖区企业",
    board_enterprise: "企业",
    board_col_open: "未销号重大隐患",
    board_col_overdue: "逾期重大隐患",
    board_col_closed: "已销号重大隐患",
    board_col_escalations: "未办结督办事项",
    board_col_days: "重大隐患平均销号天数",
    board_col_zero: "动态清零",
    board_cleared: "已清零",
    board_still_open: "未清零",
    board_sort_hint: "点击列名排序；点击数字查看明细。",
    board_download: "下载清零看板 XLSX",
    board_chart: "近 12 个月督办事项开启与办结",
    board_chart_table: "逐月数据",
    chart_opened: "开启",
    chart_done: "办结",
    board_empty: "辖区内尚无企业。",
    board_total: "合计",
    board_day_unit: "天",
    board_as_of: "统计时间",
    ent_open_list: "未销号重大隐患清单",
    ent_only_overdue: "只看逾期",
    ent_show_all: "显示全部",
    ent_none: "没有未销号的重大隐患。",
    ent_escalations: "查看该企业督办事项",
    ent_list_cut: "仅列出期限最早的 200 项。",
    ent_closed_list: "已销号重大隐患清单",
    ent_show_closed: "已销号",
    ent_none_closed: "没有已销号的重大隐患。",
    ent_closed_cut: "仅列出最近登记的 200 项。",
    esc_title: "督办事项",
    esc_active: "未办结",
    esc_open: "待签收",
    esc_acknowledged: "已签收",
    esc_supervising: "督办中",
    esc_closed: "已销号",
    esc_dismissed: "不予立案",
    esc_subject: "督办对象",
    esc_triggers: "触发原因",
    esc_opened_at: "开启时间",
    esc_deadline: "督办期限",
    esc_only_overdue: "只看逾期",
    esc_past_deadline: "已逾期",
    esc_download: "下载督办事项 XLSX",
    esc_empty: "没有符合条件的督办事项。",
    subject_report: "举报",
    subject_hazard: "隐患",
    trig_major_report_untriaged: "重大隐患举报超时未处理",
    trig_report_untriaged: "举报超时未处理",
    trig_appeal: "举报人申诉",
    trig_plan_missing: "重大隐患未按期制定整改方案",
    trig_plan_overdue: "重大隐患逾期未整改",
    trig_bureau_deadline_passed: "督办期限已过",
    trig_other: "其他",
    esc_instructions: "督办要求",
    esc_dismiss_reason: "不予立案理由",
    esc_done_at: "办结时间",
    esc_subject_report: "举报内容",
    esc_subject_hazard: "隐患",
    esc_report_status: "举报处理状态",
    esc_subject_timeline: "企业处理过程",
    esc_events: "督办记录",
    esc_actions: "督办操作",
    esc_ack_hint: "签收表示监管部门已收到并开始处理。",
    esc_deadline_date: "整改期限（日期）",
    esc_supervise_hint: "要求企业在期限内完成整改；期限到期未完成将再次提醒。",
    esc_close_hint: "企业验收通过后方可销号。",
    esc_dismiss_hint: "不属于监管部门处理范围时填写理由。",
    esc_message: "给企业留言",
    esc_finished: "本事项已办结。",
    esc_appeal_link: "查看与举报人的对话",
    esc_evidence_at: "提交于",
    ev_esc_opened: "开启督办事项",
    ev_esc_trigger: "新增触发原因",
    ev_esc_acknowledged: "签收",
    ev_esc_supervising: "督办",
    ev_esc_closed: "销号",
    ev_esc_dismissed: "不予立案",
    ev_esc_message: "致企业留言",
    ev_esc_to_reporter: "回复举报人",
    ev_esc_reporter_message: "举报人留言",
    appeals_title: "申诉",
    appeals_empty: "没有申诉。",
    appeal_title: "申诉与对话",
    appeal_identity_note: "举报人身份受法律保护，此处只显示其所写的内容。",
    appeal_conversation: "与举报人的对话",
    appeal_reason: "申诉理由",
    appeal_reply: "回复举报人",
    appeal_reply_hint: "举报人凭回执码或登录后可看到回复。",
    appeal_escalation_link: "查看督办事项",
    appeal_last: "最近动态",
};

/// English.
pub static EN: Messages = Messages {
    app_name: "Qingling",
    app_tagline: "Hazard reports and rectification",
    skip_to_content: "Skip to content",
    main_nav: "Main navigation",
    switch_language: "中文",
    signed_in_as: "Signed in as",
    login: "Log in",
    logout: "Log out",
    accept: "Accept",
    duplicate: "Duplicate",
    reject: "Reject",
    save_plan: "Save rectification plan",
    upload_evidence: "Upload rectification evidence",
    verify_pass: "Verification passed",
    verify_fail: "Verification failed",
    approve: "Approve",
    refuse: "Refuse",
    mark_paid: "Mark as paid",
    acknowledge: "Acknowledge",
    supervise: "Supervise",
    close_out: "Close out",
    dismiss: "Dismiss",
    filter: "Filter",
    clear_filter: "Clear filters",
    next_page: "Next page",
    first_page: "Back to the first page",
    send: "Send",
    save: "Save",
    any: "Any",
    back: "Back",
    nav_overview: "Overview",
    nav_inbox: "Inbox",
    nav_ledger: "Hazard ledger",
    nav_sweeps: "Sweeps",
    nav_rewards: "Rewards",
    nav_exports: "Exports",
    nav_disclosures: "Disclosures",
    nav_board: "Clearing board",
    nav_escalations: "Escalations",
    nav_appeals: "Appeals",
    nav_enterprises: "Enterprises",
    nav_users: "Users",
    login_title: "Staff log in",
    username: "Username",
    password: "Password",
    logged_out: "You have logged out.",
    session_ended: "Your session has ended; please log in again.",
    login_hint: "For enterprise safety staff, bureau officers and platform administrators.",
    forbidden_title: "Request refused",
    forbidden_detail: "This action must be sent from this console's own pages. Go back to the page and try again.",
    not_found_title: "Not found",
    not_found_detail: "There is no such page, or you may not see it.",
    error_title: "Could not be done",
    no_pages_for_role: "Your role has no console pages yet.",
    status: "Status",
    level: "Level",
    area: "Area",
    title: "Title",
    description: "Description",
    photos: "Photos",
    time: "Time",
    source: "Source",
    level_general: "General",
    level_major: "Major",
    level_unset: "Not given",
    criteria: "Criteria",
    timeline: "Timeline",
    date_from: "From",
    date_to: "To",
    none: "None",
    photo_alt: "Photo of the site",
    open_full_photo: "Open the full photo",
    inbox_title: "Inbox",
    inbox_empty: "No reports match.",
    submitted_at: "Submitted",
    triage_deadline: "Triage due",
    reporter: "Reporter",
    mode_confidential: "Named (identity sealed)",
    mode_anonymous: "Anonymous",
    report_submitted: "Awaiting triage",
    report_accepted: "Accepted",
    report_duplicate: "Duplicate",
    report_rejected: "Rejected",
    overdue_by: "Overdue by",
    time_left: "Left",
    triaged_after: "Triaged after",
    suspected_level: "Suspected level",
    reporter_criteria: "Criteria ticked by the reporter",
    messages_title: "Messages with the reporter",
    no_messages: "No messages yet.",
    reply_to_reporter: "Reply to the reporter",
    sender_reporter: "Reporter",
    sender_enterprise: "Enterprise",
    sender_bureau: "Bureau",
    triage_title: "Triage",
    triage_accept_hint: "Register it as a new hazard on the ledger.",
    triage_duplicate_hint: "The same as a hazard already on the ledger: link it there.",
    triage_reject_hint: "Not a hazard. The reporter is told the reason and may appeal to the bureau.",
    duplicate_of: "Duplicate of",
    reason: "Reason",
    already_triaged: "This report has been triaged.",
    view_hazard: "View the hazard",
    criteria_hint: "Any ticked criterion makes it a major hazard.",
    pseudonym_hint: "The pseudonym is for this report only; it does not identify the reporter.",
    pick_hazard: "Pick an open hazard on the ledger",
    ledger_title: "Hazard ledger",
    ledger_empty: "No hazards match.",
    overdue: "Overdue",
    only_overdue: "Overdue only",
    source_report: "Worker's report",
    source_sweep: "Quarterly sweep",
    quarter: "Quarter",
    deadline: "Deadline",
    hazard_registered: "Registered",
    hazard_rectifying: "Rectifying",
    hazard_awaiting_verification: "Awaiting verification",
    hazard_closed: "Closed",
    registered_at: "Registered",
    closed_at: "Closed",
    plan_title: "Rectification plan (five implementations)",
    measures: "Measures",
    responsible_person: "Responsible person",
    funds_yuan: "Funds (yuan)",
    contingency_plan: "Contingency plan",
    plan_major_hint: "A major hazard needs all five: measures, responsible person, funds, deadline, contingency plan.",
    plan_version: "Plan version",
    evidence_title: "Rectification evidence",
    evidence_note: "What was done",
    choose_photos: "Photos (up to 5)",
    verify_title: "Verification",
    verify_note: "Verification note",
    verify_hint: "The verifier may not be the responsible person. A failed verification needs a reason and sends the hazard back to rectification.",
    before: "Before",
    after: "After",
    before_after: "Before and after",
    plan_history: "Earlier plans",
    from_report: "From report",
    yuan: "yuan",
    ev_registered: "Put on the ledger",
    ev_plan: "Plan saved",
    ev_evidence: "Evidence submitted",
    ev_bureau_closed: "Closed out by the bureau",
    no_plan: "No rectification plan yet.",
    no_evidence: "No evidence yet.",
    hazard_done: "This hazard is closed out.",
    sweeps_title: "Quarterly sweeps",
    record_sweep: "Record a sweep",
    sweep_leader: "Led by",
    sweep_scope: "Scope",
    sweep_date: "Date",
    add_finding: "Register a hazard found in the sweep",
    sweep_recorded: "The sweep is recorded. Register what it found below.",
    this_sweep: "This sweep",
    findings: "Hazards found",
    role_safety_manager: "Safety manager",
    role_principal: "Principal",
    role_custodian: "Custodian",
    role_bureau_officer: "Bureau",
    role_admin: "Administrator",
    role_worker: "Worker",
    role_system: "System",

    // --- 奖励 (pages/rewards.rs) --
    rewards_title: "Rewards",
    rewards_caption: "Rewards for reports (report pseudonyms only, never the reporter)",
    rewards_none: "No rewards match.",
    reward_report: "Report",
    reward_amount: "Amount",
    reward_proposed_at: "Proposed",
    reward_actions: "Actions",
    reward_proposed: "Awaiting approval",
    reward_approved: "Approved, to be paid",
    reward_rejected: "Refused",
    reward_paid: "Paid",
    reward_kind_first: "First report",
    reward_kind_duplicate: "Duplicate report",
    reward_adjusted_because: "Adjusted because",
    reward_rejected_because: "Refused because",
    reward_reference: "Payout reference",
    reward_held_until: "Held by the monthly cap until",
    reward_new_amount: "New amount (yuan)",
    reward_adjust: "Adjust",
    confirm_refuse: "Confirm refusal",
    confirm_adjust: "Confirm adjustment",
    reward_paid_title: "Payment recorded",
    reward_payout_once: "The payout details below are shown this once: this viewing is recorded in the audit log and the reporter is told when and by which role. Pay with them now; do not copy or forward them.",
    reward_policy_title: "Reward policy",
    reward_policy_default: "In force: the built-in defaults (none set yet).",
    reward_policy_version: "Version in force",
    reward_policy_hint: "Amounts in yuan. Only the principal may change them; rewards already proposed keep the version they were computed under.",
    reward_general_yuan: "General hazard reward (yuan)",
    reward_major_yuan: "Major hazard reward (yuan)",
    reward_threshold_yuan: "Above this a principal must approve (yuan)",
    reward_cap_yuan: "Monthly cap per confidential reporter (yuan)",
    reward_duplicates_share: "Reward duplicate reports too",
    reward_policy_save: "Save the policy",
    overview_title: "Overview",
    overview_now: "Where things stand",
    overview_open_major: "Open major hazards",
    overview_cleared: "Cleared to zero",
    overview_not_cleared: "Every one must be rectified and closed",
    overview_overdue_hazards: "Hazards past their deadline",
    overview_late_reports: "Reports past the triage deadline",
    overview_average_days: "Average days to close",
    overview_average_days_note: "Closed in the last 12 months:",
    overview_quarter: "Hazards registered this quarter",
    overview_closed_major_ever: "Major hazards closed, all time",
    overview_quarter_empty: "No hazard registered this quarter.",
    overview_by_area: "By area",
    overview_chart: "Hazards registered and closed, last 12 months",
    overview_chart_table: "Month by month",
    overview_month: "Month",
    chart_registered: "Registered",
    chart_closed: "Closed",
    month_names: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    month_of_year: "{m} {y}",
    no_area: "No area",
    disclosures_title: "Identity disclosure",
    disclosures_hint: "Disclosing a confidential reporter's identity needs a written reason and a second custodian's approval; every reveal is audited and shown to the reporter.",
    disclosures_waiting: "Waiting for my decision",
    disclosures_none_waiting: "Nothing waits for your decision.",
    disclosures_mine: "Requests I made",
    disclosures_none_mine: "You have made no request.",
    disclosures_others: "Other requests",
    disclosure_request: "Request disclosure",
    disclosure_report: "Report id",
    disclosure_reason: "Reason",
    disclosure_reason_hint: "The reason is shown to the approver and to the reporter (at least 5 characters).",
    disclosure_requested_at: "Requested",
    disclosure_decided_at: "Decided",
    actions: "Actions",
    disclosure_open: "Reveal identity (once)",
    disclosure_open_warning: "Once approved the requester may see the identity once; the reveal is audited and shown to the reporter, nothing is kept, and it cannot be opened again.",
    disclosure_requested: "Waiting",
    disclosure_approved: "Approved, not yet seen",
    disclosure_refused: "Refused",
    disclosure_opened: "Seen",
    disclosure_done_requested: "Request made; a second custodian must decide.",
    disclosure_done_approved: "Approved. The requester may see it once.",
    disclosure_done_refused: "Refused.",
    disclosure_reveal_title: "Reporter's identity (this once)",
    disclosure_reveal_warning_title: "Note:",
    disclosure_reveal_warning: "This reveal is audited and will be shown to the reporter. Do not screenshot, copy or pass it on; once you leave this page it cannot be shown again.",
    identity_name: "Name",
    identity_employee_no: "Employee number",
    identity_phone: "Phone",
    disclosure_back: "Back to disclosures",
    exports_title: "Exports",
    exports_by_quarter: "By quarter",
    exports_by_range: "By date range",
    exports_from: "From",
    exports_to: "To",
    exports_ledger_csv: "Download ledger CSV",
    exports_ledger_xlsx: "Download ledger XLSX",
    exports_congress: "Report to the workers' congress",
    exports_congress_xlsx: "Congress report XLSX",
    exports_rewards: "Reward ledger",
    exports_rewards_csv: "Download rewards CSV",
    exports_rewards_xlsx: "Download rewards XLSX",
    congress_title: "Major hazards and how each was handled",
    congress_basis: "Reported to the workers' congress under art. 41 of the Work Safety Law: this quarter's major hazards and how each was handled.",
    congress_print: "Print",
    congress_total: "Major hazards this quarter",
    congress_closed: "Closed",
    congress_open: "Open",
    congress_cut: "Too many to list: the first 2000 are shown; download the ledger for all.",
    congress_none: "No major hazard was registered this quarter.",
    congress_hazard: "Hazard",
    congress_source: "Source",
    congress_found: "Found",
    congress_measures: "Measures",
    congress_deadline: "Deadline",
    congress_closed_on: "Closed on",
    congress_overdue: "Overdue",
    congress_no_plan: "No plan yet",
    poster_title: "Hazard reporting poster",
    poster_tools: "Poster tools",
    poster_back: "Back to the enterprise",
    poster_print: "Print the poster",
    poster_qr_svg: "QR code (SVG)",
    poster_qr_png: "QR code (PNG)",
    poster_print_hint: "Print on A4 portrait with background graphics and no margins.",
    poster_brand_line: "Safety is everyone's job",
    poster_scan: "Scan to report a hazard",
    poster_anonymous: "anonymous if you wish",
    poster_reward: "rewarded",
    poster_qr_alt: "QR code for reporting a hazard",
    poster_qr_caption: "Scan with WeChat or the phone's camera; no account needed",
    poster_rewards_label: "Rewards",
    poster_general: "General hazard",
    poster_major: "Major hazard",
    poster_reward_rule: "Once a report is verified and accepted, the reward is approved and paid under the enterprise's reward policy in force.",
    poster_step1: "Scan",
    poster_step1_more: "open the report page; your name is optional",
    poster_step2: "Photograph",
    poster_step2_more: "take photos and say where it is",
    poster_step3: "Keep the receipt code",
    poster_step3_more: "use it to follow up and collect the reward",
    poster_rights: "Safety Production Law, art. 54: workers may criticise, report and accuse safety problems; the employer may not cut their pay or benefits or dismiss them for it.",
    nav_admin_enterprises: "Enterprises",
    nav_site: "Areas & posters",
    admin_enterprises_title: "Enterprises",
    admin_enterprises_list: "Registered enterprises",
    admin_enterprises_none: "No enterprise is registered yet.",
    enterprise_create: "Register enterprise",
    enterprise_name: "Name",
    enterprise_credit_code: "Unified social credit code",
    enterprise_credit_code_hint: "18 characters; the check character is verified.",
    enterprise_sector: "Sector",
    enterprise_jurisdiction: "Jurisdiction",
    enterprise_jurisdiction_hint: "Jurisdiction path, e.g. jiangbei/gongyeyuan.",
    enterprise_intake_code: "Intake code",
    enterprise_poster: "Enterprise poster",
    enterprise_users: "Users of this enterprise",
    sector_steel: "Steel",
    sector_nonferrous: "Non-ferrous",
    created_at: "Created",
    areas_title: "Areas",
    areas_none: "No areas yet. Add one to print its QR poster.",
    area_name: "Area name",
    area_description: "Description",
    area_poster: "Poster",
    area_poster_open: "Print poster",
    area_create: "Add area",
    nav_admin_users: "Users",
    admin_users_title: "Users",
    admin_users_none: "No users match.",
    user_username: "Username",
    user_display_name: "Name (staff)",
    user_role: "Role",
    user_place: "Enterprise or jurisdiction",
    user_enterprise: "Enterprise",
    user_enterprise_hint: "Required for enterprise roles (worker, safety manager, principal, custodian).",
    user_jurisdiction_hint: "Required for a bureau officer, e.g. jiangbei/gongyeyuan.",
    user_no_enterprise: "(no enterprise)",
    user_phone: "Phone (sealed)",
    user_employee_no: "Employee number (sealed)",
    user_initial_password: "Initial password",
    user_password_hint: "10–128 characters; hand it over in person or by phone.",
    user_create: "Create user",
    user_you: "you",
    user_active: "Active",
    user_inactive: "Deactivated",
    user_must_change: "Must change password at next login",
    user_deactivate: "Deactivate",
    user_deactivate_confirm: "Every session and token of this user ends at once. Deactivate?",
    user_reactivate: "Reactivate",
    user_reset: "Reset password",
    user_temp_password: "Temporary password",
    user_done_created: "The user was created.",
    user_done_deactivated: "The user is deactivated; their sessions and tokens have ended.",
    user_done_reactivated: "The user is active again and must log in anew.",
    user_done_reset: "The password was reset; the user must set a new one at the next login.",
    import_title: "Import workers",
    import_problems: "These rows have errors; nobody was imported:",
    import_where: "Where",
    import_what: "Problem",
    import_line_before: "line ",
    import_line_after: "",
    import_how: "Upload the list of workers",
    import_columns: "XLSX (first sheet) or UTF-8 CSV with a header row: 工号 and 姓名 (required), 手机号 and 区域 (optional; 区域 must name an existing area).",
    import_all_or_nothing: "All or nothing: any bad row is listed and nobody is imported. On success you get an activation slip per worker (8 per A4).",
    import_file: "List file",
    import_submit: "Import and make activation slips",
    slips_title: "Worker activation slips",
    slips_print: "Print slips",
    slips_imported: "Imported:",
    slips_once: "The codes are shown only now: print them and hand each to its worker.",
    slips_heading: "Hazard reporting · account activation",
    slips_how: "On your phone open this address, enter the code and set a password:",
    slips_until: "Valid until",
    slips_keep: "for you alone; do not pass it on",
    user_employee_no_short: "No.",
    nav_admin_criteria: "Criteria",
    criteria_title: "Major-hazard criteria",
    criteria_show_for: "Show",
    criteria_shared_only: "Shared items only",
    criteria_code: "Code",
    criteria_code_hint: "3–32 upper-case letters, digits or -, not starting with MEM10-.",
    criteria_summary: "Summary",
    criteria_summary_zh: "Summary (Chinese)",
    criteria_summary_en: "Summary (English)",
    criteria_article: "Source",
    criteria_own: "Enterprise's own",
    criteria_add: "Add criterion",
    sector_all: "All sectors",
    nav_admin_system: "System",
    system_title: "System status",
    keys_title: "Master keys",
    keys_versions: "Loaded versions",
    keys_sealing: "Version that seals",
    keys_index: "Version of the blind index and receipt hashes",
    keys_index_retired: "retired from sealing; kept sealed in the database",
    keys_source: "Key source",
    keys_hint: "Rotation: add a new version (e.g. 2:BASE64), restart, run qingling keys rewrap; then the old version can go. This page never shows a key.",
    outbox_title: "Dead letters of the webhook outbox",
    outbox_hint: "Pushes the receiver refused too many times. Once the receiver is fixed, put them back in the queue.",
    outbox_none: "No dead letters.",
    outbox_topic: "Topic",
    outbox_event: "Event id",
    outbox_attempts: "Attempts",
    outbox_last_error: "Last error",
    outbox_retry: "Retry",
    outbox_retried: "Put back in the queue.",
    nav_account: "Password",
    account_title: "Change password",
    account_forced: "An admin reset your password. Set a new one of your own before anything else.",
    account_done: "Password changed. Every other session and token has ended.",
    account_current: "Current password",
    account_new: "New password",
    account_new_hint: "10–128 characters.",
    account_repeat: "New password again",
    account_submit: "Change password",
    board_title: "Clearing board",
    board_open_major: "Open major hazards in the jurisdiction",
    board_cleared_of: "enterprises cleared to zero",
    board_overdue_major: "Overdue major hazards",
    board_open_escalations: "Escalations still open",
    board_enterprises: "Enterprises of the jurisdiction",
    board_enterprise: "Enterprise",
    board_col_open: "Open major",
    board_col_overdue: "Overdue major",
    board_col_closed: "Closed major",
    board_col_escalations: "Open escalations",
    board_col_days: "Avg. days to close",
    board_col_zero: "Cleared to zero",
    board_cleared: "Cleared",
    board_still_open: "Open",
    board_sort_hint: "Click a heading to sort; click a number for the list behind it.",
    board_download: "Download the board (XLSX)",
    board_chart: "Escalations opened and closed, last 12 months",
    board_chart_table: "Month by month",
    chart_opened: "Opened",
    chart_done: "Closed",
    board_empty: "No enterprise in the jurisdiction yet.",
    board_total: "Total",
    board_day_unit: "d",
    board_as_of: "As of",
    ent_open_list: "Open major hazards",
    ent_only_overdue: "Overdue only",
    ent_show_all: "Show all",
    ent_none: "No open major hazard.",
    ent_escalations: "This enterprise's escalations",
    ent_list_cut: "Only the 200 with the earliest deadlines are listed.",
    ent_closed_list: "Closed major hazards",
    ent_show_closed: "Closed",
    ent_none_closed: "No closed major hazard.",
    ent_closed_cut: "Only the 200 registered last are listed.",
    esc_title: "Escalations",
    esc_active: "Still open",
    esc_open: "To acknowledge",
    esc_acknowledged: "Acknowledged",
    esc_supervising: "Under supervision",
    esc_closed: "Closed out",
    esc_dismissed: "Dismissed",
    esc_subject: "Subject",
    esc_triggers: "Triggers",
    esc_opened_at: "Opened",
    esc_deadline: "Bureau deadline",
    esc_only_overdue: "Overdue only",
    esc_past_deadline: "Past deadline",
    esc_download: "Download escalations (XLSX)",
    esc_empty: "No escalation matches.",
    subject_report: "Report",
    subject_hazard: "Hazard",
    trig_major_report_untriaged: "Major report not triaged in time",
    trig_report_untriaged: "Report not triaged in time",
    trig_appeal: "Reporter's appeal",
    trig_plan_missing: "Major hazard without a plan in time",
    trig_plan_overdue: "Major hazard past its plan's deadline",
    trig_bureau_deadline_passed: "Bureau deadline passed",
    trig_other: "Other",
    esc_instructions: "Instructions",
    esc_dismiss_reason: "Reason for dismissal",
    esc_done_at: "Closed at",
    esc_subject_report: "The report",
    esc_subject_hazard: "The hazard",
    esc_report_status: "Report status",
    esc_subject_timeline: "How the enterprise handled it",
    esc_events: "Escalation record",
    esc_actions: "Actions",
    esc_ack_hint: "Acknowledging tells everyone the bureau has taken it up.",
    esc_deadline_date: "Deadline (date)",
    esc_supervise_hint: "The enterprise must rectify by the date; a missed deadline is raised again.",
    esc_close_hint: "Close out only after the enterprise's verification passed.",
    esc_dismiss_hint: "When it is not the bureau's matter: give the reason.",
    esc_message: "Message to the enterprise",
    esc_finished: "This escalation is finished.",
    esc_appeal_link: "Conversation with the reporter",
    esc_evidence_at: "Submitted",
    ev_esc_opened: "Opened",
    ev_esc_trigger: "New trigger",
    ev_esc_acknowledged: "Acknowledged",
    ev_esc_supervising: "Supervised",
    ev_esc_closed: "Closed out",
    ev_esc_dismissed: "Dismissed",
    ev_esc_message: "Message to the enterprise",
    ev_esc_to_reporter: "Reply to the reporter",
    ev_esc_reporter_message: "Reporter's message",
    appeals_title: "Appeals",
    appeals_empty: "No appeals.",
    appeal_title: "Appeal and conversation",
    appeal_identity_note: "The reporter's identity is protected by law: only what they wrote is shown.",
    appeal_conversation: "Conversation with the reporter",
    appeal_reason: "Appeal",
    appeal_reply: "Reply to the reporter",
    appeal_reply_hint: "The reporter reads it with the receipt code or signed in.",
    appeal_escalation_link: "The escalation",
    appeal_last: "Last activity",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default_and_english_is_chosen_by_the_browser() {
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
    }

    #[test]
    fn the_main_controls_use_the_words_of_the_design() {
        let m = &ZH;
        let words = [
            m.login,
            m.logout,
            m.accept,
            m.duplicate,
            m.reject,
            m.save_plan,
            m.upload_evidence,
            m.verify_pass,
            m.verify_fail,
            m.approve,
            m.refuse,
            m.mark_paid,
            m.acknowledge,
            m.supervise,
            m.close_out,
            m.dismiss,
        ];
        assert_eq!(
            words,
            [
                "登录",
                "退出",
                "受理",
                "重复",
                "不予受理",
                "保存整改方案",
                "上传整改证据",
                "验收通过",
                "验收不通过",
                "批准",
                "驳回",
                "标记已发放",
                "签收",
                "督办",
                "销号",
                "不予立案",
            ]
        );
    }
}
