//! The demo's last quarter, played through the same use cases the API and the console call
//! (`qingling_api::services`), under a [`Clock`] set to each moment in turn: reports from both
//! smelters over ~90 days, confidential and anonymous, with generated photos; triage into
//! hazards that reach every state (registered, rectifying with a 五落实 plan, awaiting
//! verification, closed with evidence), one failed verification; rewards in every status; a
//! quarterly sweep at each smelter with findings; messages with reporters; disclosure requests;
//! and escalations that the real sweeper fires on the way (a plan missing 72 h after a major
//! hazard was registered, a suspected-major report left untriaged), an appeal, and the bureau's
//! 签收 and 督办.
//!
//! Every step is an entry in [`tales`] or [`sweeps`] with its time; [`play`] sorts all of them by
//! time and runs them in that order, with the escalation sweeper once a simulated day, so the
//! history (and the audit trail) reads forwards like a real quarter.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use chrono::{NaiveDateTime, TimeDelta};
use qingling_api::AppContext;
use qingling_api::domain::Actor;
use qingling_api::domain::criteria::Level;
use qingling_api::domain::ledger_sheet::beijing_date;
use qingling_api::domain::quarter::Quarter;
use qingling_api::services::appeals::{self, AppealRequest, ReceiptAppealRequest};
use qingling_api::services::bureau::{self, BureauAction, InboxQuery, SuperviseRequest};
use qingling_api::services::disclosures::{self, CreateDisclosureRequest};
use qingling_api::services::followup::{self, MessageBody, ReceiptMessage};
use qingling_api::services::hazards::{self, CreateHazardRequest, CreateSweepRequest};
use qingling_api::services::inbox;
use qingling_api::services::rectification::{self, EvidenceRequest, PlanRequest, VerifyRequest};
use qingling_api::services::rewards::{
    self, AdjustRequest, PaidRequest, RejectRequest, RewardPolicyRequest, RewardQuery,
};
use qingling_api::services::submission::{self, ReportInput, Reporter};
use qingling_api::services::triage::{self, Decision, TriageRequest};
use qingling_api::store::time::Clock;
use qingling_api::workers::sweeper;

use super::err;
use super::photos::{self, Scene};

/// One smelter's people and places, as the history needs them.
#[derive(Debug)]
pub struct Firm {
    /// Enterprise id.
    pub id: String,
    /// The intake code of its posters (anonymous reports).
    pub intake_code: String,
    /// Area ids, in the order the demo created them.
    pub areas: Vec<String>,
    /// The confidential reporter.
    pub worker: Actor,
    /// Triages, plans, proposes and pays.
    pub manager: Actor,
    /// Approves rewards, verifies rectification.
    pub principal: Actor,
    /// Asks for a disclosure.
    pub custodian1: Actor,
    /// Decides it.
    pub custodian2: Actor,
    /// The bureau officer of its jurisdiction.
    pub officer: Actor,
    /// Name of the sweep's leader.
    pub leader: &'static str,
}

/// Which smelter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Steel,
    Alu,
}

/// How a tale begins.
#[derive(Debug, Clone, Copy)]
enum Via {
    /// The firm's logged-in worker (identity sealed).
    Worker,
    /// Someone with the poster's intake code (nothing stored about them).
    Anonymous,
    /// Found in the firm's quarterly sweep.
    Sweep,
}

/// A 五落实 plan.
#[derive(Debug, Clone, Copy)]
struct Plan {
    measures: &'static str,
    person: &'static str,
    funds_yuan: i64,
    /// Days after the plan is saved.
    deadline_days: i64,
    contingency: &'static str,
}

/// One thing someone does in a tale.
#[derive(Debug, Clone, Copy)]
enum Act {
    /// The manager accepts the report as a hazard of this level.
    Accept(Level),
    /// The manager declines it, with the reason the reporter reads.
    Reject(&'static str),
    /// The manager joins it to the hazard of tale N.
    DuplicateOf(usize),
    /// The manager asks the reporter something.
    Ask(&'static str),
    /// The reporter answers.
    Answer(&'static str),
    /// The manager saves the 五落实 plan.
    Plan(Plan),
    /// The manager uploads rectification evidence (with an after photo).
    Evidence(&'static str),
    /// The principal's 验收通过.
    Pass(&'static str),
    /// The principal's 验收不通过, with the reason.
    Fail(&'static str),
    /// The principal approves the reward.
    Approve,
    /// The principal refuses the reward.
    RefuseReward(&'static str),
    /// The manager adjusts the proposed amount (yuan).
    Adjust(i64, &'static str),
    /// The anonymous reporter leaves payout details.
    Claim(&'static str),
    /// The manager records the payment.
    Paid(&'static str),
    /// The reporter appeals to the bureau.
    Appeal(&'static str),
    /// Custodian 1 asks to disclose the reporter.
    AskDisclosure(&'static str),
    /// Custodian 2 approves the latest request.
    ApproveDisclosure,
    /// The officer's 签收 of the tale's escalation.
    Acknowledge,
    /// The officer's 督办: instructions, and a deadline this many days after the real now.
    Supervise(&'static str, i64),
}

/// A report (or sweep finding) and what happened to it, in days after it began.
#[derive(Debug, Clone, Copy)]
struct Tale {
    firm: F,
    area: usize,
    via: Via,
    title: &'static str,
    description: &'static str,
    suspected_major: bool,
    criteria: &'static [&'static str],
    scene: Scene,
    photos: u64,
    /// Days before now it began (spread over that day's working hours; a sweep finding follows
    /// its sweep instead).
    days_ago: f64,
    acts: &'static [(f64, Act)],
}

/// A quarterly sweep, `days_ago` before now.
#[derive(Debug, Clone, Copy)]
struct SweepDay {
    firm: F,
    days_ago: f64,
    scope: &'static str,
}

const STEEL_PLAN: Plan = Plan {
    measures: "抽干积水，修复炉下排水沟，加装挡水围堰并每班巡检",
    person: "炼钢车间主任 张宏",
    funds_yuan: 38_000,
    deadline_days: 12,
    contingency: "整改期间炉下区域禁止人员停留，备好干燥沙土，出钢前专人确认无积水",
};

fn plan(
    measures: &'static str,
    person: &'static str,
    funds_yuan: i64,
    deadline_days: i64,
    contingency: &'static str,
) -> Plan {
    Plan {
        measures,
        person,
        funds_yuan,
        deadline_days,
        contingency,
    }
}

/// Every tale of the quarter. Indexes matter: [`Act::DuplicateOf`] names one.
fn tales() -> Vec<Tale> {
    use Act::*;
    use Level::{General, Major};
    // Acts borrow 'static slices; plans built at run time are leaked once (a few dozen bytes,
    // for a process that exits right after).
    let leak = |v: Vec<(f64, Act)>| -> &'static [(f64, Act)] { Vec::leak(v) };
    vec![
        // 0 — steel: water under a converter, major; closed; reward paid.
        Tale {
            firm: F::Steel,
            area: 0,
            via: Via::Worker,
            title: "转炉炉下渣坑有积水",
            description: "2号转炉炉下渣坑靠东侧有一片积水，约两米见方，出钢时钢渣可能溅入。",
            suspected_major: true,
            criteria: &["MEM10-4-2"],
            scene: Scene::Puddle,
            photos: 2,
            days_ago: 86.3,
            acts: leak(vec![
                (0.2, Accept(Major)),
                (0.3, Ask("积水是从哪个方向流过来的？是否每天都有？")),
                (0.5, Answer("从东侧冷却水管沟渗过来，下雨后更多。")),
                (0.9, Plan(STEEL_PLAN)),
                (2.0, Approve),
                (
                    9.8,
                    Evidence("排水沟已疏通并加盖板，东侧加装 30 cm 挡水围堰，连续三班巡检无积水。"),
                ),
                (10.7, Pass("现场复查无积水，围堰完好，同意销号。")),
                (21.0, Paid("工资单 2026-09 第 0412 号")),
            ]),
        },
        // 1 — steel: missing guard, general, anonymous; failed once, then closed; paid.
        Tale {
            firm: F::Steel,
            area: 3,
            via: Via::Anonymous,
            title: "轧机传动轴防护罩缺失",
            description: "3号粗轧机传动轴护罩拆下后没有装回，人从旁边通道经过很近。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Clutter,
            photos: 1,
            days_ago: 80.1,
            acts: leak(vec![
                (0.4, Accept(General)),
                (
                    0.8,
                    Plan(plan(
                        "恢复安装传动轴防护罩并加装联锁开关",
                        "轧钢车间设备员 李强",
                        4_500,
                        7,
                        "修复前在通道设隔离栏，禁止人员靠近",
                    )),
                ),
                (1.5, Approve),
                (4.0, Evidence("已重新安装防护罩。")),
                (
                    5.1,
                    Fail("护罩固定螺栓缺两颗，仍可徒手拆下；联锁开关未装。"),
                ),
                (
                    8.2,
                    Evidence("补齐固定螺栓，加装联锁开关，打开护罩即停机，已试验三次。"),
                ),
                (9.0, Pass("复查合格。")),
                (11.0, Claim("微信 demo-pay-2271")),
                (13.0, Paid("转账单 TX-20260921-07")),
            ]),
        },
        // 2 — steel: CO alarm dead, major; closed; reward approved, not yet paid.
        Tale {
            firm: F::Steel,
            area: 1,
            via: Via::Worker,
            title: "煤气柜区一氧化碳报警仪故障",
            description: "煤气柜北侧加压机房门口的固定式一氧化碳报警仪显示故障代码 E3，已经两天没人处理。",
            suspected_major: true,
            criteria: &["MEM10-4-6", "MEM10-14-1"],
            scene: Scene::Alarm,
            photos: 2,
            days_ago: 74.4,
            acts: leak(vec![
                (0.1, Accept(Major)),
                (
                    0.4,
                    Plan(plan(
                        "更换报警仪探头，校验报警值，接入中控室监控",
                        "能源中心 王海",
                        12_000,
                        5,
                        "修复前配备便携式报警仪两台，进入机房必须两人同行",
                    )),
                ),
                (
                    3.5,
                    Evidence("已更换探头并标定，中控室可见实时数值，报警联动测试正常。"),
                ),
                (4.2, Pass("复核报警值 24 ppm 报警，合格。")),
                (6.0, Approve),
            ]),
        },
        // 3 — steel: clutter by the hot-metal line, general; closed; reward refused.
        Tale {
            firm: F::Steel,
            area: 4,
            via: Via::Anonymous,
            title: "铁水罐车轨道旁堆放杂物",
            description: "铁水运输线 2 号道口旁边堆了废木板和油桶。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Clutter,
            photos: 1,
            days_ago: 66.2,
            acts: leak(vec![
                (0.3, Accept(General)),
                (
                    0.6,
                    Plan(plan(
                        "清理杂物，划定禁放区并挂牌",
                        "运输部 赵军",
                        800,
                        3,
                        "清理前罐车经过道口减速并专人瞭望",
                    )),
                ),
                (1.9, Evidence("杂物已清走，地面划黄线并设禁放牌。")),
                (2.5, Pass("已清理。")),
                (
                    3.0,
                    RefuseReward(
                        "该处杂物已在 9 月 25 日班前检查中登记并安排清理，举报晚于登记，按制度不予奖励。",
                    ),
                ),
            ]),
        },
        // 4 — steel: blast-furnace top pressure interlock off, major, anonymous; no plan in
        // time, so the sweeper escalates it; the bureau supervises; now awaiting verification.
        Tale {
            firm: F::Steel,
            area: 2,
            via: Via::Anonymous,
            title: "高炉炉顶放散阀联锁未投入",
            description: "1号高炉炉顶压力与放散阀的联锁开关在手动位置，值班说是调试后没恢复。",
            suspected_major: true,
            criteria: &["MEM10-4-5"],
            scene: Scene::Molten,
            photos: 2,
            days_ago: 40.5,
            acts: leak(vec![
                (0.3, Accept(Major)),
                (4.8, Acknowledge),
                (
                    4.9,
                    Supervise(
                        "立即恢复炉顶压力与放散阀联锁，7 日内报送整改方案，整改完成后报区应急管理局复核。",
                        12,
                    ),
                ),
                (
                    5.2,
                    Plan(plan(
                        "恢复炉顶压力联锁并加锁，修订联锁投退审批制度，开展联锁测试",
                        "炼铁厂厂长 钱进",
                        65_000,
                        45,
                        "联锁恢复前炉顶压力超 0.25 MPa 即减风，值班工长现场值守",
                    )),
                ),
                (
                    37.5,
                    Evidence("联锁已恢复并加装钥匙开关，投退须审批；三次模拟超压试验均自动放散。"),
                ),
            ]),
        },
        // 5 — steel: the same interlock reported again by the worker: a duplicate.
        Tale {
            firm: F::Steel,
            area: 2,
            via: Via::Worker,
            title: "炉顶放散阀联锁还是没投",
            description: "上周就有人说过，今天看还是手动位置。",
            suspected_major: true,
            criteria: &["MEM10-4-5"],
            scene: Scene::Molten,
            photos: 1,
            days_ago: 37.2,
            acts: leak(vec![(0.2, DuplicateOf(4))]),
        },
        // 6 — steel: gas water seal, major; rectifying; reward approved; a disclosure request
        // waits for the second custodian.
        Tale {
            firm: F::Steel,
            area: 1,
            via: Via::Worker,
            title: "煤气管道水封排水器压力偏低",
            description: "转炉煤气回收管线 3 号排水器水封高度不够，压力表显示 22 kPa。",
            suspected_major: true,
            criteria: &["MEM10-4-8"],
            scene: Scene::Pipe,
            photos: 2,
            days_ago: 30.3,
            acts: leak(vec![
                (0.2, Accept(Major)),
                (
                    1.0,
                    Plan(plan(
                        "更换为双室防泄漏排水器，水封有效高度提高到 35 kPa 以上，加装液位报警",
                        "能源中心 王海",
                        86_000,
                        45,
                        "更换期间该段管线降压运行，周边 30 米设警戒，配空气呼吸器",
                    )),
                ),
                (2.5, Approve),
                (
                    20.0,
                    AskDisclosure(
                        "该举报同时指名班组长长期不巡检，纪委需核实举报人是否与被反映人存在利害关系。",
                    ),
                ),
            ]),
        },
        // 7 — steel: crane rope, anonymous; rejected.
        Tale {
            firm: F::Steel,
            area: 3,
            via: Via::Anonymous,
            title: "行车钢丝绳断丝",
            description: "西跨 5 吨行车钢丝绳有几处断丝。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Pipe,
            photos: 1,
            days_ago: 22.6,
            acts: leak(vec![(
                0.5,
                Reject(
                    "经现场核查，照片中的 5 吨行车已于 10 月报废停用并挂停用牌，钢丝绳不再使用；感谢反映，如发现在用设备有同类问题请再次报告。",
                ),
            )]),
        },
        // 8 — steel: cracked trunnion, general; rectifying and past its deadline.
        Tale {
            firm: F::Steel,
            area: 4,
            via: Via::Worker,
            title: "铁水罐耳轴有裂纹",
            description: "12 号铁水罐左侧耳轴根部有一道细裂纹。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Molten,
            photos: 2,
            days_ago: 12.4,
            acts: leak(vec![
                (0.3, Accept(General)),
                (
                    1.0,
                    Plan(plan(
                        "12 号罐停用，耳轴探伤后更换",
                        "运输部 赵军",
                        15_000,
                        8,
                        "停用期间由 14 号罐替代，其余罐每班检查耳轴",
                    )),
                ),
            ]),
        },
        // 9 — steel: standing water by the ladle turret, anonymous; registered; amount adjusted.
        Tale {
            firm: F::Steel,
            area: 0,
            via: Via::Anonymous,
            title: "钢包回转台附近地面积水",
            description: "回转台北侧地面有积水，可能是冷却水管接头漏水。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Puddle,
            photos: 1,
            days_ago: 5.3,
            acts: leak(vec![
                (0.4, Accept(General)),
                (
                    0.6,
                    Adjust(
                        150,
                        "现场积水面积较小，班组已先行处理一部分，按制度下限发放。",
                    ),
                ),
            ]),
        },
        // 10 — steel: awaiting triage.
        Tale {
            firm: F::Steel,
            area: 3,
            via: Via::Worker,
            title: "加热炉烧嘴有漏气声",
            description: "2号加热炉东侧第三个烧嘴有嘶嘶声，闻着有煤气味。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Pipe,
            photos: 1,
            days_ago: 1.6,
            acts: &[],
        },
        // 11 — steel: suspected major, a few hours old, awaiting triage.
        Tale {
            firm: F::Steel,
            area: 1,
            via: Via::Anonymous,
            title: "煤气柜附近闻到煤气味",
            description: "夜班巡检经过煤气柜西侧时闻到明显煤气味，报警仪没响。",
            suspected_major: true,
            criteria: &["MEM10-4-6"],
            scene: Scene::Alarm,
            photos: 2,
            days_ago: 0.3,
            acts: &[],
        },
        // 12–14 — steel: findings of the quarterly sweep (see `sweeps`).
        Tale {
            firm: F::Steel,
            area: 0,
            via: Via::Sweep,
            title: "3号除尘器泄爆片锈蚀",
            description: "季度排查发现转炉二次除尘 3 号除尘器泄爆片锈蚀严重，泄爆口被检修平台遮挡。",
            suspected_major: false,
            criteria: &["MEM10-11-3"],
            scene: Scene::Pipe,
            photos: 2,
            days_ago: 45.1,
            acts: leak(vec![
                (
                    0.5,
                    Plan(plan(
                        "更换泄爆片，移除遮挡的检修平台，泄爆方向设禁入区",
                        "炼钢车间主任 张宏",
                        22_000,
                        10,
                        "更换前除尘器降负荷运行，泄爆口前方禁止人员停留",
                    )),
                ),
                (
                    8.0,
                    Evidence("泄爆片已更换为不锈钢材质，平台移位，禁入区已划线。"),
                ),
                (8.6, Pass("合格，销号。")),
            ]),
        },
        Tale {
            firm: F::Steel,
            area: 1,
            via: Via::Sweep,
            title: "煤气柜区消防通道被占用",
            description: "煤气柜南侧消防通道停放两辆检修车。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Clutter,
            photos: 1,
            days_ago: 45.0,
            acts: leak(vec![(
                1.0,
                Plan(plan(
                    "移走车辆，通道两侧划禁停线并装摄像头",
                    "保卫部 孙涛",
                    3_000,
                    60,
                    "占用期间保卫部专人值守，确保随时可移车",
                )),
            )]),
        },
        Tale {
            firm: F::Steel,
            area: 3,
            via: Via::Sweep,
            title: "轧钢车间铁皮沟未设有限空间警示",
            description: "轧线铁皮沟属有限空间，未列入台账，入口无警示标志。",
            suspected_major: false,
            criteria: &["MEM10-13-1"],
            scene: Scene::Alarm,
            photos: 1,
            days_ago: 44.9,
            acts: leak(vec![(
                0.8,
                Plan(plan(
                    "将铁皮沟列入有限空间台账，设置警示标志，作业执行审批",
                    "轧钢车间主任 吴斌",
                    6_000,
                    70,
                    "未完成前禁止任何人员进入铁皮沟",
                )),
            )]),
        },
        // 15 — alu: deep-well casting water pressure alarm, major; closed; paid.
        Tale {
            firm: F::Alu,
            area: 2,
            via: Via::Worker,
            title: "深井铸造结晶器冷却水压力报警失灵",
            description: "2号深井铸造机冷却水压力降到 0.15 MPa 时报警器没有响。",
            suspected_major: true,
            criteria: &["MEM10-5-6"],
            scene: Scene::Alarm,
            photos: 2,
            days_ago: 88.2,
            acts: leak(vec![
                (0.2, Accept(Major)),
                (
                    0.7,
                    Plan(plan(
                        "更换压力变送器，重设报警与紧急排放联锁并试验",
                        "铸造车间主任 冯立",
                        42_000,
                        10,
                        "修复前该机停产，其余机组每炉前人工确认水压",
                    )),
                ),
                (1.5, Approve),
                (
                    8.0,
                    Evidence("已更换变送器，0.2 MPa 报警、0.15 MPa 联锁停浇，试验记录附后。"),
                ),
                (8.8, Pass("联锁试验合格，销号。")),
                (18.0, Paid("工资单 2026-09 第 1187 号")),
            ]),
        },
        // 16 — alu: ammonia valve frosting, anonymous, general; closed; reward approved.
        Tale {
            firm: F::Alu,
            area: 3,
            via: Via::Anonymous,
            title: "液氨管道阀门结霜滴漏",
            description: "制冷站二楼液氨管道一个阀门外面结霜，下面地上有水。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Pipe,
            photos: 1,
            days_ago: 70.4,
            acts: leak(vec![
                (0.2, Accept(General)),
                (
                    0.5,
                    Plan(plan(
                        "更换阀门填料并做气密试验",
                        "动力车间 陶然",
                        2_500,
                        3,
                        "更换时关闭上下游阀门，现场备喷淋和防化服",
                    )),
                ),
                (2.0, Evidence("填料已更换，试压合格，无结霜。")),
                (2.6, Pass("合格。")),
                (3.0, Approve),
            ]),
        },
        // 17 — alu: oil on the floor, anonymous; rejected; the reporter appeals to the bureau,
        // which has acknowledged it.
        Tale {
            firm: F::Alu,
            area: 1,
            via: Via::Anonymous,
            title: "电解槽边地面油污",
            description: "电解车间 A 区 14 号槽边地面一大片油污，很滑。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Puddle,
            photos: 1,
            days_ago: 55.3,
            acts: leak(vec![
                (
                    0.6,
                    Reject("经查为当班换极作业后已清理的正常作业痕迹，不构成隐患。"),
                ),
                (
                    2.1,
                    Appeal(
                        "我拍照时已经有两个人在那里滑倒，不是正常痕迹，第二天还在。请区里来看看。",
                    ),
                ),
                (3.0, Acknowledge),
            ]),
        },
        // 18 — alu: debris in the emergency pit, major; failed verification, rectifying again;
        // reward paid.
        Tale {
            firm: F::Alu,
            area: 0,
            via: Via::Worker,
            title: "熔铸炉应急排放坑内有杂物",
            description: "1号熔铸炉紧急排放坑里堆着废耐火砖和铁桶，真要放铝水会爆。",
            suspected_major: true,
            criteria: &["MEM10-5-3"],
            scene: Scene::Clutter,
            photos: 3,
            days_ago: 48.2,
            acts: leak(vec![
                (0.1, Accept(Major)),
                (
                    0.5,
                    Plan(plan(
                        "清空排放坑，坑底做干燥处理，设盖板与禁放标识，纳入班检表",
                        "熔铸车间主任 邓平",
                        18_000,
                        60,
                        "清理完成前 1 号炉降低液位运行，备好应急溜槽",
                    )),
                ),
                (1.2, Approve),
                (6.0, Evidence("排放坑已清理。")),
                (
                    6.8,
                    Fail("排放坑内仍有废耐材块，坑底潮湿，未清到底；盖板未装。"),
                ),
                (12.0, Paid("工资单 2026-10 第 1302 号")),
            ]),
        },
        // 19 — alu: level alarm removed, major; awaiting verification; an approved disclosure
        // is waiting for its requester to open it.
        Tale {
            firm: F::Alu,
            area: 2,
            via: Via::Worker,
            title: "铸造流槽液位报警器被拆下",
            description: "3号深井铸造流槽上的液位报警探头被拆下放在地上，线头裸露。",
            suspected_major: true,
            criteria: &["MEM10-5-7"],
            scene: Scene::Alarm,
            photos: 2,
            days_ago: 33.4,
            acts: leak(vec![
                (0.2, Accept(Major)),
                (
                    0.9,
                    Plan(plan(
                        "重新安装液位探头并与快速切断联锁，拆除须经审批",
                        "铸造车间主任 冯立",
                        9_800,
                        50,
                        "恢复前 3 号机停浇",
                    )),
                ),
                (
                    13.0,
                    AskDisclosure(
                        "举报所述拆除行为涉嫌故意破坏安全设施，公安机关调查需要向举报人了解拆除经过。",
                    ),
                ),
                (14.0, ApproveDisclosure),
                (25.0, Evidence("探头已复装并接入联锁，拆除需车间主任签字。")),
            ]),
        },
        // 20 — alu: forklift lane blocked, anonymous, general; rectifying.
        Tale {
            firm: F::Alu,
            area: 0,
            via: Via::Anonymous,
            title: "叉车通道被铝锭占用",
            description: "熔铸车间东门叉车通道上码了两垛铝锭。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Clutter,
            photos: 1,
            days_ago: 18.3,
            acts: leak(vec![
                (0.3, Accept(General)),
                (
                    0.7,
                    Plan(plan(
                        "铝锭移至成品库，通道划线禁放",
                        "熔铸车间 调度 余洋",
                        0,
                        30,
                        "移走前叉车限速 5 km/h 并专人指挥",
                    )),
                ),
            ]),
        },
        // 21 — alu: crane brake, general; registered.
        Tale {
            firm: F::Alu,
            area: 1,
            via: Via::Worker,
            title: "多功能天车制动异常",
            description: "电解 B 区多功能天车停车时溜车大约半米。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Pipe,
            photos: 1,
            days_ago: 7.2,
            acts: leak(vec![(0.4, Accept(General))]),
        },
        // 22 — alu: ammonia alarm dark, suspected major, two days untriaged: the sweeper
        // escalates it to the bureau.
        Tale {
            firm: F::Alu,
            area: 3,
            via: Via::Anonymous,
            title: "氨压缩机房氨气报警器不亮",
            description: "压缩机房门口的氨气报警器指示灯不亮，按测试键也没反应。",
            suspected_major: true,
            criteria: &["MEM10-14-1"],
            scene: Scene::Alarm,
            photos: 1,
            days_ago: 2.1,
            acts: &[],
        },
        // 23 — alu: awaiting triage.
        Tale {
            firm: F::Alu,
            area: 0,
            via: Via::Worker,
            title: "熔炼炉炉眼有渗铝",
            description: "2号熔炼炉出铝口下方有渗铝痕迹。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Molten,
            photos: 2,
            days_ago: 0.5,
            acts: &[],
        },
        // 24–25 — alu: findings of its quarterly sweep.
        Tale {
            firm: F::Alu,
            area: 0,
            via: Via::Sweep,
            title: "铝灰处理间除尘系统未设泄爆",
            description: "季度排查发现铝灰处理间干式除尘器无泄爆、惰化或抑爆措施。",
            suspected_major: false,
            criteria: &["MEM10-11-3"],
            scene: Scene::Pipe,
            photos: 2,
            days_ago: 29.9,
            acts: leak(vec![(
                0.6,
                Plan(plan(
                    "加装无焰泄爆装置与火花探测熄灭系统",
                    "设备部 易峰",
                    120_000,
                    45,
                    "改造完成前铝灰处理间停用，铝灰暂存防潮库",
                )),
            )]),
        },
        Tale {
            firm: F::Alu,
            area: 3,
            via: Via::Sweep,
            title: "液氨制冷站应急喷淋水压不足",
            description: "制冷站应急喷淋试喷时水压不足，覆盖不到储罐顶部。",
            suspected_major: false,
            criteria: &[],
            scene: Scene::Pipe,
            photos: 1,
            days_ago: 29.8,
            acts: leak(vec![
                (
                    0.5,
                    Plan(plan(
                        "更换增压泵，重新试喷",
                        "动力车间 陶然",
                        7_200,
                        10,
                        "修复前配备移动消防水炮",
                    )),
                ),
                (6.0, Evidence("增压泵已更换，试喷覆盖储罐顶部。")),
                (6.5, Pass("合格。")),
            ]),
        },
    ]
}

fn sweeps() -> Vec<SweepDay> {
    vec![
        SweepDay {
            firm: F::Steel,
            days_ago: 45.2,
            scope: "全厂区：炼钢车间、煤气柜区、高炉区、轧钢车间、铁水运输线；重点查冶金八条与粉尘涉爆",
        },
        SweepDay {
            firm: F::Alu,
            days_ago: 30.0,
            scope: "全厂区：铝熔铸、电解、深井铸造、液氨制冷；重点查深井铸造与涉氨制冷",
        },
    ]
}

/// What a tale has produced so far.
#[derive(Debug, Default)]
struct State {
    report_id: Option<String>,
    receipt: Option<String>,
    hazard_id: Option<String>,
    reward_id: Option<String>,
    disclosure_id: Option<String>,
}

/// One moment of the schedule.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Sweep `n` is recorded.
    Sweep(usize),
    /// Tale `n` begins (a report, or a sweep finding).
    Begin(usize),
    /// Act `j` of tale `n`.
    Act(usize, usize),
    /// The escalation sweeper runs, as it does every few seconds on a server.
    Sweeper,
}

/// What [`play`] did, for the summary it prints.
#[derive(Debug, Default)]
pub struct Played {
    /// Reports submitted.
    pub reports: usize,
    /// Photos (report, sweep and evidence) sanitised and stored.
    pub photos: usize,
    /// Hazards on the ledgers.
    pub hazards: usize,
    /// Escalations the sweeper opened on the way.
    pub escalations: usize,
}

struct Player<'a> {
    ctx: &'a AppContext,
    steel: &'a Firm,
    alu: &'a Firm,
    tales: Vec<Tale>,
    state: Vec<State>,
    sweep_ids: Vec<Option<String>>,
    played: Played,
}

fn days(d: f64) -> TimeDelta {
    TimeDelta::seconds((d * 86_400.0).round() as i64)
}

/// When something `days_ago` days before `now` happened: on that Beijing day within working
/// hours (08:00 plus the fraction of the day spread over ten hours), so reports are not filed
/// at three in the morning; the last day's few as they are, so they stay in the past.
fn start_of(days_ago: f64, now: NaiveDateTime) -> NaiveDateTime {
    if days_ago < 1.0 {
        return now - days(days_ago);
    }
    let day = (now + TimeDelta::hours(8) - days(days_ago)).date();
    let eight_beijing = day.and_time(chrono::NaiveTime::MIN);
    eight_beijing + TimeDelta::seconds((days_ago.fract() * 36_000.0).round() as i64)
}

/// Plays the quarter; `now` is the real time the demo started at. Runs inside the clock's scope.
pub async fn play(
    ctx: &AppContext,
    clock: &Clock,
    now: NaiveDateTime,
    steel: &Firm,
    alu: &Firm,
) -> anyhow::Result<Played> {
    let tales = tales();
    let sweep_days = sweeps();
    let mut schedule: Vec<(NaiveDateTime, Step)> = Vec::new();
    for (i, s) in sweep_days.iter().enumerate() {
        schedule.push((start_of(s.days_ago, now), Step::Sweep(i)));
    }
    // A sweep's findings are recorded half an hour apart after the sweep itself.
    let mut findings = 0;
    let starts: Vec<NaiveDateTime> = tales
        .iter()
        .map(|t| match t.via {
            Via::Sweep => {
                findings += 1;
                let sweep = sweep_days.iter().find(|s| s.firm == t.firm);
                sweep.map_or(start_of(t.days_ago, now), |s| {
                    start_of(s.days_ago, now) + TimeDelta::minutes(30 * findings)
                })
            }
            _ => start_of(t.days_ago, now),
        })
        .collect();
    for (i, t) in tales.iter().enumerate() {
        let start = starts[i];
        schedule.push((start, Step::Begin(i)));
        for (j, (after, _)) in t.acts.iter().enumerate() {
            schedule.push((start + days(*after), Step::Act(i, j)));
        }
    }
    // The escalation sweeper: once a simulated week, and a minute after each moment a tale's
    // trigger comes due (it reads everything due since its last run, so the weekly runs alone
    // would miss nothing; these make each escalation open when a server's would have).
    let first = schedule.iter().map(|(t, _)| *t).min().unwrap_or(now);
    let mut day = first;
    while day < now {
        schedule.push((day, Step::Sweeper));
        day += TimeDelta::days(7);
    }
    let d = &ctx.settings.deadlines;
    let delays = [d.triage_major, d.triage, d.plan]
        .map(|x| TimeDelta::from_std(x).unwrap_or(TimeDelta::MAX));
    for (t, start) in tales.iter().zip(&starts) {
        for due in trigger_moments(t, *start, delays) {
            if due + TimeDelta::minutes(1) < now {
                schedule.push((due + TimeDelta::minutes(1), Step::Sweeper));
            }
        }
    }
    schedule.sort_by_key(|(t, _)| *t);
    if let Some((late, _)) = schedule.iter().find(|(t, _)| *t > now) {
        anyhow::bail!("demo history step at {late} is after now");
    }
    let mut p = Player {
        ctx,
        steel,
        alu,
        state: tales.iter().map(|_| State::default()).collect(),
        tales,
        sweep_ids: vec![None; sweep_days.len()],
        played: Played::default(),
    };
    for (at, step) in schedule {
        clock.set(at);
        match step {
            Step::Sweep(i) => p.sweep(&sweep_days[i], i, at).await,
            Step::Begin(i) => p.begin(i).await,
            Step::Act(i, j) => p.act(i, j, now).await,
            Step::Sweeper => p.sweeper().await,
        }
        .with_context(|| format!("demo history at {at}: {step:?}"))?;
    }
    clock.set(now);
    p.sweeper().await?;
    Ok(p.played)
}

/// When a trigger of the sweeper comes due on tale `t` begun at `start`, given the delays
/// `[suspected-major triage, triage, major plan]`: it is still untriaged a delay after it was
/// submitted, or a major hazard still has no plan a delay after it was registered.
fn trigger_moments(t: &Tale, start: NaiveDateTime, delays: [TimeDelta; 3]) -> Vec<NaiveDateTime> {
    let at = |after: f64| start + days(after);
    let triaged = t
        .acts
        .iter()
        .find(|(_, a)| matches!(a, Act::Accept(_) | Act::Reject(_) | Act::DuplicateOf(_)))
        .map(|(after, _)| at(*after));
    let planned = t
        .acts
        .iter()
        .find(|(_, a)| matches!(a, Act::Plan(_)))
        .map(|(after, _)| at(*after));
    let mut out = Vec::new();
    if !matches!(t.via, Via::Sweep) {
        for (major_only, delay) in [(true, delays[0]), (false, delays[1])] {
            let due = start.checked_add_signed(delay);
            if let Some(due) = due
                && (t.suspected_major || !major_only)
                && triaged.is_none_or(|x| x > due)
            {
                out.push(due);
            }
        }
    }
    let registered = match t.via {
        Via::Sweep => Some(start),
        _ => t
            .acts
            .iter()
            .find(|(_, a)| matches!(a, Act::Accept(_)))
            .map(|(after, _)| at(*after)),
    };
    let major = t.suspected_major || !t.criteria.is_empty();
    if let Some(r) = registered.filter(|_| major)
        && let Some(due) = r.checked_add_signed(delays[2])
        && planned.is_none_or(|p| p > due)
    {
        out.push(due);
    }
    out
}

impl Player<'_> {
    fn firm(&self, f: F) -> &Firm {
        match f {
            F::Steel => self.steel,
            F::Alu => self.alu,
        }
    }

    async fn sweeper(&mut self) -> anyhow::Result<()> {
        let stats = sweeper::sweep_once(self.ctx).await.map_err(err)?;
        self.played.escalations += stats.opened;
        Ok(())
    }

    async fn sweep(&mut self, s: &SweepDay, i: usize, at: NaiveDateTime) -> anyhow::Result<()> {
        let firm = self.firm(s.firm);
        let day = beijing_date(at);
        let view = hazards::create_sweep(
            self.ctx,
            &firm.manager,
            CreateSweepRequest {
                quarter: Quarter::of(day).to_string(),
                leader: firm.leader.into(),
                scope: s.scope.into(),
                date: day.format("%Y-%m-%d").to_string(),
            },
        )
        .await
        .map_err(err)?;
        self.sweep_ids[i] = Some(view.id);
        Ok(())
    }

    fn pictures(&mut self, i: usize, fixed: bool, n: u64) -> anyhow::Result<Vec<Vec<u8>>> {
        let t = self.tales[i];
        let salt = if fixed { 1000 } else { 0 };
        let out = (0..n)
            .map(|k| photos::jpeg(t.scene, (i as u64) * 10 + k + salt, fixed))
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.played.photos += out.len();
        Ok(out)
    }

    async fn begin(&mut self, i: usize) -> anyhow::Result<()> {
        let t = self.tales[i];
        let photos = self.pictures(i, false, t.photos)?;
        let firm = self.firm(t.firm);
        let area_id = firm.areas.get(t.area).cloned();
        let codes = (!t.criteria.is_empty()).then(|| {
            t.criteria
                .iter()
                .map(|c| (*c).to_owned())
                .collect::<Vec<_>>()
        });
        if let Via::Sweep = t.via {
            let sweep_id = sweeps()
                .iter()
                .position(|s| s.firm == t.firm)
                .and_then(|k| self.sweep_ids[k].clone());
            let h = hazards::create_hazard(
                self.ctx,
                &firm.manager,
                CreateHazardRequest {
                    title: t.title.into(),
                    description: t.description.into(),
                    area_id,
                    level: Some(if t.suspected_major || codes.is_some() {
                        Level::Major
                    } else {
                        Level::General
                    }),
                    criterion_codes: codes,
                    sweep_id,
                },
                photos,
            )
            .await
            .map_err(err)?;
            self.state[i].hazard_id = Some(h.hazard.id);
            self.played.hazards += 1;
            return Ok(());
        }
        let reporter = match t.via {
            Via::Worker => Reporter::Confidential(&firm.worker),
            _ => Reporter::Anonymous,
        };
        let input = ReportInput {
            title: t.title.into(),
            description: t.description.into(),
            area_id,
            suspected_level: Some(if t.suspected_major {
                submission::Level::Major
            } else {
                submission::Level::General
            }),
            criterion_codes: codes,
            intake_code: matches!(t.via, Via::Anonymous).then(|| firm.intake_code.clone()),
        };
        let (status, body) = submission::submit(self.ctx, reporter, input, photos, None)
            .await
            .map_err(err)?;
        anyhow::ensure!(status == 201, "submission answered {status}");
        let receipt: submission::Receipt = serde_json::from_slice(&body)?;
        self.state[i].report_id = Some(receipt.report_id);
        self.state[i].receipt = Some(receipt.receipt_code);
        self.played.reports += 1;
        Ok(())
    }

    fn report(&self, i: usize) -> anyhow::Result<String> {
        self.state[i].report_id.clone().context("no report yet")
    }

    fn hazard(&self, i: usize) -> anyhow::Result<String> {
        self.state[i].hazard_id.clone().context("no hazard yet")
    }

    async fn reward(&mut self, i: usize) -> anyhow::Result<String> {
        if let Some(id) = &self.state[i].reward_id {
            return Ok(id.clone());
        }
        let report = self.report(i)?;
        let firm = self.firm(self.tales[i].firm);
        let mut cursor = None;
        loop {
            let page = rewards::list_rewards(
                self.ctx,
                &firm.manager,
                RewardQuery {
                    status: None,
                    cursor,
                    limit: Some(200),
                },
            )
            .await
            .map_err(err)?;
            if let Some(r) = page.items.into_iter().find(|r| r.report_id == report) {
                self.state[i].reward_id = Some(r.id.clone());
                return Ok(r.id);
            }
            cursor = page.next_cursor;
            if cursor.is_none() {
                return Err(anyhow!("no reward for the report"));
            }
        }
    }

    /// The open escalation of tale `i`'s hazard or report, as its officer sees it.
    async fn escalation(&self, i: usize) -> anyhow::Result<String> {
        let firm = self.firm(self.tales[i].firm);
        let subjects: Vec<String> = [&self.state[i].hazard_id, &self.state[i].report_id]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        let page = bureau::list(
            self.ctx,
            &firm.officer,
            InboxQuery {
                status: None,
                enterprise_id: Some(firm.id.clone()),
                overdue: None,
                cursor: None,
                limit: Some(200),
            },
        )
        .await
        .map_err(err)?;
        page.items
            .into_iter()
            .find(|e| subjects.contains(&e.subject_id) && e.closed_at.is_none())
            .map(|e| e.id)
            .context("no escalation for the tale")
    }

    async fn act(&mut self, i: usize, j: usize, real_now: NaiveDateTime) -> anyhow::Result<()> {
        let t = self.tales[i];
        let act = t.acts[j].1;
        let ctx = self.ctx;
        let firm = self.firm(t.firm);
        let (manager, principal) = (firm.manager.clone(), firm.principal.clone());
        match act {
            Act::Accept(level) => {
                let codes = t.criteria.iter().map(|c| (*c).to_owned()).collect();
                let v = triage::triage(
                    ctx,
                    &manager,
                    self.report(i)?,
                    TriageRequest {
                        decision: Decision::Accept,
                        level: Some(level),
                        criterion_codes: Some(codes),
                        duplicate_of: None,
                        reason: None,
                    },
                )
                .await
                .map_err(err)?;
                self.state[i].hazard_id = v.hazard_id;
                self.played.hazards += 1;
            }
            Act::Reject(reason) => {
                triage::triage(
                    ctx,
                    &manager,
                    self.report(i)?,
                    TriageRequest {
                        decision: Decision::Reject,
                        level: None,
                        criterion_codes: None,
                        duplicate_of: None,
                        reason: Some(reason.into()),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::DuplicateOf(k) => {
                let v = triage::triage(
                    ctx,
                    &manager,
                    self.report(i)?,
                    TriageRequest {
                        decision: Decision::Duplicate,
                        level: None,
                        criterion_codes: None,
                        duplicate_of: Some(self.hazard(k)?),
                        reason: None,
                    },
                )
                .await
                .map_err(err)?;
                self.state[i].hazard_id = v.hazard_id;
            }
            Act::Ask(body) => {
                inbox::message(
                    ctx,
                    &manager,
                    self.report(i)?,
                    MessageBody { body: body.into() },
                )
                .await
                .map_err(err)?;
            }
            Act::Answer(body) => match t.via {
                Via::Worker => followup::message_mine(
                    ctx,
                    &firm.worker,
                    self.report(i)?,
                    MessageBody { body: body.into() },
                )
                .await
                .map_err(err)?,
                _ => followup::message_by_receipt(
                    ctx,
                    ReceiptMessage {
                        receipt_code: self.state[i].receipt.clone().context("no receipt")?,
                        body: body.into(),
                    },
                )
                .await
                .map_err(err)?,
            },
            Act::Plan(p) => {
                let deadline = beijing_date(qingling_api::store::time::now())
                    + TimeDelta::days(p.deadline_days);
                rectification::set_plan(
                    ctx,
                    &manager,
                    self.hazard(i)?,
                    PlanRequest {
                        measures: p.measures.into(),
                        responsible_person: p.person.into(),
                        responsible_user_id: None,
                        funds_fen: Some(p.funds_yuan * 100),
                        deadline: Some(deadline.format("%Y-%m-%d").to_string()),
                        contingency_plan: Some(p.contingency.into()),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::Evidence(note) => {
                let photos = self.pictures(i, true, 1)?;
                rectification::add_evidence(
                    ctx,
                    &manager,
                    self.hazard(i)?,
                    EvidenceRequest { note: note.into() },
                    photos,
                )
                .await
                .map_err(err)?;
            }
            Act::Pass(note) | Act::Fail(note) => {
                rectification::verify(
                    ctx,
                    &principal,
                    self.hazard(i)?,
                    VerifyRequest {
                        passed: matches!(act, Act::Pass(_)),
                        note: Some(note.into()),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::Approve => {
                let id = self.reward(i).await?;
                rewards::approve(ctx, &principal, id).await.map_err(err)?;
            }
            Act::RefuseReward(reason) => {
                let id = self.reward(i).await?;
                rewards::reject(
                    ctx,
                    &principal,
                    id,
                    RejectRequest {
                        reason: reason.into(),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::Adjust(yuan, reason) => {
                let id = self.reward(i).await?;
                rewards::adjust(
                    ctx,
                    &manager,
                    id,
                    AdjustRequest {
                        amount_fen: yuan * 100,
                        reason: reason.into(),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::Claim(payout) => {
                let code = self.state[i].receipt.clone().context("no receipt")?;
                rewards::claim_reward(ctx, code, payout.into())
                    .await
                    .map_err(err)?;
            }
            Act::Paid(reference) => {
                let id = self.reward(i).await?;
                rewards::mark_paid(
                    ctx,
                    &manager,
                    id,
                    PaidRequest {
                        reference: reference.into(),
                    },
                )
                .await
                .map_err(err)?;
            }
            Act::Appeal(reason) => match t.via {
                Via::Worker => {
                    appeals::appeal_as_reporter(
                        ctx,
                        &firm.worker,
                        self.report(i)?,
                        AppealRequest {
                            reason: reason.into(),
                        },
                    )
                    .await
                    .map_err(err)?;
                }
                _ => {
                    appeals::appeal_with_receipt(
                        ctx,
                        ReceiptAppealRequest {
                            receipt_code: self.state[i].receipt.clone().context("no receipt")?,
                            reason: reason.into(),
                        },
                    )
                    .await
                    .map_err(err)?;
                }
            },
            Act::AskDisclosure(reason) => {
                let d = disclosures::request(
                    ctx,
                    &firm.custodian1,
                    self.report(i)?,
                    CreateDisclosureRequest {
                        reason: reason.into(),
                    },
                )
                .await
                .map_err(err)?;
                self.state[i].disclosure_id = Some(d.id);
            }
            Act::ApproveDisclosure => {
                let id = self.state[i].disclosure_id.clone().context("no request")?;
                disclosures::decide(ctx, &firm.custodian2, id, true)
                    .await
                    .map_err(err)?;
            }
            Act::Acknowledge => {
                let id = self.escalation(i).await?;
                bureau::act(ctx, &firm.officer, id, BureauAction::Acknowledge)
                    .await
                    .map_err(err)?;
            }
            Act::Supervise(instructions, after_now) => {
                let id = self.escalation(i).await?;
                let deadline = (real_now + TimeDelta::days(after_now))
                    .and_utc()
                    .to_rfc3339();
                bureau::act(
                    ctx,
                    &firm.officer,
                    id,
                    BureauAction::Supervise(SuperviseRequest {
                        deadline,
                        instructions: instructions.into(),
                    }),
                )
                .await
                .map_err(err)?;
            }
        }
        Ok(())
    }
}

/// The reward policy both smelters adopt at the start of the quarter (yuan: 200 for a general
/// hazard, 3000 for a major one, the principal approves above 1000, at most 10000 a month).
pub async fn adopt_policy(ctx: &AppContext, firm: &Firm) -> anyhow::Result<()> {
    rewards::set_policy(
        ctx,
        &firm.principal,
        firm.id.clone(),
        RewardPolicyRequest {
            general_fen: 20_000,
            major_fen: 300_000,
            principal_threshold_fen: 100_000,
            monthly_cap_fen: 1_000_000,
            duplicates_share: false,
        },
    )
    .await
    .map_err(err)?;
    Ok(())
}

/// Ids by username, to build actors from.
pub type Users = HashMap<String, qingling_api::services::users::UserView>;
