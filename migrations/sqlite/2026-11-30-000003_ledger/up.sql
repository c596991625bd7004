-- The hazard ledger (台账): the major-hazard criteria catalog (判定标准), quarterly sweeps,
-- hazards, their 五落实 plans (every version kept), rectification evidence and timeline.
--
-- Dates a person picks (sweep date, plan deadline) are stored as ISO 'YYYY-MM-DD' text, which
-- sorts and compares correctly on both backends; instants are UTC TIMESTAMPs.

-- MEM order no. 10 (《工贸企业重大事故隐患判定标准》, 2023) items that apply to steel and
-- non-ferrous smelters, summarised in our own words, plus enterprise-specific criteria that admins
-- add (enterprise_id set). Code MEM10-<article>-<item>; sector steel, nonferrous or all.
-- Item numbers follow the 2023 text as we read it; check them against the official gazette.
CREATE TABLE criteria (
    code           TEXT PRIMARY KEY NOT NULL,
    enterprise_id  TEXT REFERENCES enterprises (id),
    sector         TEXT NOT NULL CHECK (sector IN ('steel', 'nonferrous', 'all')),
    article        TEXT NOT NULL,
    summary_zh     TEXT NOT NULL,
    summary_en     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX criteria_sector ON criteria (sector, code);

-- The quarterly sweep (季度排查) itself.
CREATE TABLE sweeps (
    id             TEXT PRIMARY KEY NOT NULL,
    enterprise_id  TEXT NOT NULL REFERENCES enterprises (id),
    quarter        TEXT NOT NULL,
    leader         TEXT NOT NULL,
    scope          TEXT NOT NULL,
    swept_on       TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX sweeps_enterprise ON sweeps (enterprise_id, quarter, created_at);

-- A hazard on the ledger. `deadline` and `plan_version` mirror the current plan so the ledger
-- can filter on overdue hazards through an index; `quarter` is the quarter it was found in.
CREATE TABLE hazards (
    id               TEXT PRIMARY KEY NOT NULL,
    enterprise_id    TEXT NOT NULL REFERENCES enterprises (id),
    area_id          TEXT REFERENCES areas (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL,
    level            TEXT NOT NULL CHECK (level IN ('general', 'major')),
    criterion_codes  TEXT NOT NULL DEFAULT '[]',
    source           TEXT NOT NULL CHECK (source IN ('report', 'sweep')),
    report_id        TEXT REFERENCES reports (id),
    sweep_id         TEXT REFERENCES sweeps (id),
    status           TEXT NOT NULL CHECK (status IN ('registered', 'rectifying', 'awaiting_verification', 'closed')),
    quarter          TEXT NOT NULL,
    deadline         TEXT,
    plan_version     INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX hazards_ledger ON hazards (enterprise_id, created_at, id);
CREATE INDEX hazards_by_status ON hazards (enterprise_id, status, created_at, id);
CREATE INDEX hazards_by_level ON hazards (enterprise_id, level, created_at, id);
CREATE INDEX hazards_by_area ON hazards (enterprise_id, area_id, created_at, id);
CREATE INDEX hazards_by_source ON hazards (enterprise_id, source, created_at, id);
CREATE INDEX hazards_by_quarter ON hazards (enterprise_id, quarter, created_at, id);
CREATE INDEX hazards_open_deadline ON hazards (enterprise_id, deadline) WHERE status <> 'closed';

-- 五落实 plans: each PUT is a new version; the hazard points at the current one.
CREATE TABLE hazard_plans (
    id                   TEXT PRIMARY KEY NOT NULL,
    hazard_id            TEXT NOT NULL REFERENCES hazards (id),
    version              INTEGER NOT NULL,
    measures             TEXT NOT NULL,
    responsible_person   TEXT NOT NULL,
    responsible_user_id  TEXT REFERENCES users (id),
    funds_fen            BIGINT,
    deadline             TEXT,
    contingency_plan     TEXT,
    author_id            TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    UNIQUE (hazard_id, version)
);

-- Rectification evidence: a note now; sanitised photos attach to it through
-- photos.owner_type = 'evidence' and photos.owner_id = hazard_evidence.id.
CREATE TABLE hazard_evidence (
    id          TEXT PRIMARY KEY NOT NULL,
    hazard_id   TEXT NOT NULL REFERENCES hazards (id),
    note        TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX hazard_evidence_hazard ON hazard_evidence (hazard_id, created_at);

-- Every transition of a hazard.
CREATE TABLE hazard_events (
    id           TEXT PRIMARY KEY NOT NULL,
    hazard_id    TEXT NOT NULL REFERENCES hazards (id),
    at           TIMESTAMP NOT NULL,
    actor_id     TEXT,
    actor_role   TEXT,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT
);
CREATE INDEX hazard_events_hazard ON hazard_events (hazard_id, at);

INSERT INTO criteria (code, enterprise_id, sector, article, summary_zh, summary_en, created_at) VALUES
('MEM10-3-1', NULL, 'all', '第3条第1项', '未对承包、承租单位的安全生产统一协调管理或定期检查', 'Contractors and tenants on site are not coordinated, managed or regularly inspected for safety', '2026-11-30 00:00:00'),
('MEM10-3-2', NULL, 'all', '第3条第2项', '特种作业人员未经专门培训取得资格即上岗', 'Special operators work without the required training and certificate', '2026-11-30 00:00:00'),
('MEM10-3-3', NULL, 'all', '第3条第3项', '金属冶炼企业主要负责人、安全管理人员未经考核合格', 'Principal or safety managers of a metal smelter have not passed the required assessment', '2026-11-30 00:00:00'),
('MEM10-4-1', NULL, 'steel', '第4条第1项', '会议室、休息室、操作室等人员聚集场所或罐修工位设在铁水、钢水、液渣吊运跨地坪区域内', 'Meeting, rest, control or changing rooms (or ladle repair stations) sit on the floor under hot-metal, steel or slag crane bays', '2026-11-30 00:00:00'),
('MEM10-4-2', NULL, 'steel', '第4条第2项', '冶炼、精炼、铸造区事故坑、炉下渣坑或熔融金属泼溅滴漏区有非生产性积水', 'Standing water in emergency pits, under-furnace slag pits or molten-metal splash zones during production', '2026-11-30 00:00:00'),
('MEM10-4-3', NULL, 'steel', '第4条第3项', '连铸未设事故钢水罐、漏钢坑（槽）、溢流坑（槽）或回转溜槽，模铸未设事故钢水罐（坑、槽）', 'No emergency ladle, breakout or overflow pit/trough or swivel chute for casting', '2026-11-30 00:00:00'),
('MEM10-4-4', NULL, 'steel', '第4条第4项', '炼钢炉水冷元件无出水温度、进出水流量差监测报警，或未与倾炉、提枪、断电联锁', 'Water-cooled elements of steelmaking furnaces lack outlet-temperature/flow-difference alarms or their interlocks with tilting, lance lift and power cut-off', '2026-11-30 00:00:00'),
('MEM10-4-5', NULL, 'steel', '第4条第5项', '高炉炉顶压力超设计最高值，或炉顶压力监测未与放散阀联锁，或放散设定值超设计压力', 'Blast-furnace top pressure above design, or top-pressure monitoring not interlocked with the bleeder valves, or bleeder set point above design', '2026-11-30 00:00:00'),
('MEM10-4-6', NULL, 'steel', '第4条第6项', '煤气设施附近人员聚集场所及可能泄漏积聚处未设固定式一氧化碳监测报警，或数据未接入24小时值守场所', 'No fixed CO detectors and alarms where gas may leak or near staffed rooms by gas facilities, or readings not sent to a 24-hour manned room', '2026-11-30 00:00:00'),
('MEM10-4-7', NULL, 'steel', '第4条第7项', '加热炉、煤气柜、除尘器、加压机等设施及入车间煤气管道未装隔断装置', 'Gas isolation devices (blind plates etc.) missing on furnaces, gas holders, dust catchers, boosters or gas mains entering workshops', '2026-11-30 00:00:00'),
('MEM10-4-8', NULL, 'steel', '第4条第8项', '正压煤气管线水封排水器封堵压力不足30kPa，或排水器共用、连通', 'Water-seal drains of positive-pressure gas lines hold less than 30 kPa, or drains are shared or connected across isolations or gas types', '2026-11-30 00:00:00'),
('MEM10-5-1', NULL, 'nonferrous', '第5条第1项', '人员聚集场所设在熔融金属吊运跨地坪区域内', 'Staffed rooms sit on the floor under molten-metal crane bays', '2026-11-30 00:00:00'),
('MEM10-5-2', NULL, 'nonferrous', '第5条第2项', '冶炼、精炼、铸造区事故坑、炉下渣坑或熔融金属泼溅滴漏区有非生产性积水', 'Standing water in emergency pits, slag pits or molten-metal splash zones during production', '2026-11-30 00:00:00'),
('MEM10-5-3', NULL, 'nonferrous', '第5条第3项', '熔融金属铸造未设紧急排放和应急储存设施（倾动式炉等除外）', 'Molten-metal casting without emergency discharge and holding facilities (tilting furnaces excepted)', '2026-11-30 00:00:00'),
('MEM10-5-4', NULL, 'nonferrous', '第5条第4项', '水冷冶炼炉窑、铸造机、加热炉未设应急水源', 'Water-cooled furnaces, casting machines or reheating furnaces have no emergency water supply', '2026-11-30 00:00:00'),
('MEM10-5-5', NULL, 'nonferrous', '第5条第5项', '冶炼炉窑水冷元件未设出水温度、流量差或进水流量、压力监测报警', 'Water-cooled furnace elements lack outlet-temperature, flow-difference or inlet flow/pressure alarms', '2026-11-30 00:00:00'),
('MEM10-5-6', NULL, 'nonferrous', '第5条第6项', '铝深井铸造结晶器冷却水未设压力、流量监测报警，或未与快速切断、紧急排放、流槽断开装置联锁', 'Deep-well aluminium casting: mould cooling water lacks pressure/flow alarms or their interlocks with quick shut-off, emergency discharge and launder disconnection', '2026-11-30 00:00:00'),
('MEM10-5-7', NULL, 'nonferrous', '第5条第7项', '铝深井铸造流槽未设液位监测报警，或固定式浇铸炉出口无机械锁紧', 'Deep-well aluminium casting: no metal-level alarm on the launder, or no mechanical lock on a fixed casting furnace outlet', '2026-11-30 00:00:00'),
('MEM10-5-8', NULL, 'nonferrous', '第5条第8项', '铝深井铸造未设紧急排放、快速切断或流槽断开等防铝液进井措施', 'Deep-well aluminium casting without emergency discharge, quick shut-off or launder disconnection to keep molten metal out of the pit', '2026-11-30 00:00:00'),
('MEM10-5-9', NULL, 'nonferrous', '第5条第9项', '铝深井铸造卷扬用非钢芯钢丝绳或未定期检查更换', 'Deep-well aluminium casting hoist uses non-steel-core rope, or the rope is not regularly inspected and replaced', '2026-11-30 00:00:00'),
('MEM10-5-10', NULL, 'nonferrous', '第5条第10项', '可能泄漏一氧化碳、砷化氢、氯气、硫化氢处未设固定式监测报警或数据未接入24小时值守场所', 'No fixed detectors and alarms for CO, arsine, chlorine or hydrogen sulphide where they may leak, or readings not sent to a 24-hour manned room', '2026-11-30 00:00:00'),
('MEM10-5-11', NULL, 'nonferrous', '第5条第11项', '强制送风燃气燃烧装置总管未设压力监测报警或未与紧急切断联锁', 'Forced-draught gas burners lack main-pipe pressure alarms or their interlock with emergency shut-off', '2026-11-30 00:00:00'),
('MEM10-11-1', NULL, 'all', '第11条第1项', '粉尘爆炸危险场所设在非框架多层建筑内或内设人员聚集场所', 'Dust-explosion area in a non-frame multi-storey building or with staffed rooms inside', '2026-11-30 00:00:00'),
('MEM10-11-2', NULL, 'all', '第11条第2项', '不同类别可燃粉尘或不同区域共用、互联除尘系统', 'Incompatible combustible dusts, or separate buildings/fire zones, share or interconnect a dust extraction system', '2026-11-30 00:00:00'),
('MEM10-11-3', NULL, 'all', '第11条第3项', '干式除尘系统未采取泄爆、惰化、抑爆任一措施', 'Dry dust collector without explosion venting, inerting or suppression', '2026-11-30 00:00:00'),
('MEM10-11-4', NULL, 'all', '第11条第4项', '铝镁等金属粉尘正压吹送且无火花探测消除等点燃源防范', 'Aluminium/magnesium dust blown under positive pressure without spark detection or other ignition control', '2026-11-30 00:00:00'),
('MEM10-11-5', NULL, 'all', '第11条第5项', '采用重力沉降室或干式巷道式构筑物除尘', 'Gravity settling chambers or dry tunnel structures used for dust extraction', '2026-11-30 00:00:00'),
('MEM10-11-6', NULL, 'all', '第11条第6项', '铝镁等金属粉尘干式除尘未设锁气卸灰装置', 'Dry collector for aluminium/magnesium dust without an airlock discharge valve', '2026-11-30 00:00:00'),
('MEM10-11-7', NULL, 'all', '第11条第7项', '20区粉尘爆炸危险场所电气设备不防爆', 'Electrical equipment in a zone-20 dust area is not explosion-proof', '2026-11-30 00:00:00'),
('MEM10-11-8', NULL, 'all', '第11条第8项', '粉碎、研磨等设备前未设除铁石杂物装置', 'No tramp-metal and stone removal ahead of crushing, grinding or granulating equipment', '2026-11-30 00:00:00'),
('MEM10-11-9', NULL, 'all', '第11条第9项', '遇湿自燃金属粉尘场所未防氢气积聚或未防水防潮', 'Water-reactive metal dust stored without ventilation against hydrogen or protection from water', '2026-11-30 00:00:00'),
('MEM10-11-10', NULL, 'all', '第11条第10项', '未落实粉尘清理制度，现场积尘严重', 'No dust-cleaning routine; heavy dust build-up on site', '2026-11-30 00:00:00'),
('MEM10-12-1', NULL, 'all', '第12条第1项', '包装、分割等场所空调采用氨直接蒸发制冷', 'Air conditioning of packing or cutting rooms by direct ammonia evaporation', '2026-11-30 00:00:00'),
('MEM10-12-2', NULL, 'all', '第12条第2项', '速冻装置未设单独作业间或作业间超过9人', 'Quick-freezing unit not in its own room, or more than 9 people in that room', '2026-11-30 00:00:00'),
('MEM10-13-1', NULL, 'all', '第13条第1项', '未辨识有限空间、建立台账并设置警示标志', 'Confined spaces not identified, listed in a ledger and marked with warning signs', '2026-11-30 00:00:00'),
('MEM10-13-2', NULL, 'all', '第13条第2项', '有限空间作业未审批、未"先通风再检测后作业"或无监护人', 'Confined-space work without a permit, without ventilate-test-then-enter, or without an attendant', '2026-11-30 00:00:00'),
('MEM10-14-1', NULL, 'all', '第14条', '上述情形中直接关系安全的监控、报警、防护设施失效或无效', 'A monitoring, alarm or protection device named in these criteria has failed or is ineffective', '2026-11-30 00:00:00');
