-- MEM order no. 10, art. 5 (有色企业) has twelve items, not eleven: deep-well aluminium casting
-- has one item for fixed casting furnaces (item 8) and another for tilting casting furnaces
-- (item 9), which 000003 merged into MEM10-5-8. Every later code was therefore one short: the
-- hoist rope is item 10, the toxic-gas detectors item 11 and the forced-draught burners item 12.
-- Codes are moved from the last down (so none is overwritten), the references in reports and
-- hazards (JSON arrays of codes) move with them, and the tilting-furnace item is added.
-- Checked against the text as republished by the press (see the note of issue 5).
UPDATE criteria SET code = 'MEM10-5-12', article = '第5条第12项' WHERE code = 'MEM10-5-11' AND enterprise_id IS NULL;
UPDATE criteria SET code = 'MEM10-5-11', article = '第5条第11项' WHERE code = 'MEM10-5-10' AND enterprise_id IS NULL;
UPDATE criteria SET code = 'MEM10-5-10', article = '第5条第10项' WHERE code = 'MEM10-5-9' AND enterprise_id IS NULL;
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-11"', '"MEM10-5-12"');
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-10"', '"MEM10-5-11"');
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-9"', '"MEM10-5-10"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-11"', '"MEM10-5-12"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-10"', '"MEM10-5-11"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-9"', '"MEM10-5-10"');
UPDATE criteria
   SET summary_zh = '铝深井铸造固定式浇铸炉流槽未设紧急排放阀，或流槽与模盘入口未设快速切断阀（断开装置），或液位报警未与之联锁',
       summary_en = 'Deep-well aluminium casting, fixed casting furnace: no emergency release valve on the launder, no quick shut-off (or disconnection) at the mould-table inlet, or the level alarm not interlocked with them'
 WHERE code = 'MEM10-5-8' AND enterprise_id IS NULL;
INSERT INTO criteria (code, enterprise_id, sector, article, summary_zh, summary_en, created_at) VALUES
('MEM10-5-9', NULL, 'nonferrous', '第5条第9项', '铝深井铸造倾动式浇铸炉流槽与模盘入口未设快速切断阀（断开装置），或液位报警未与倾动控制、切断阀联锁', 'Deep-well aluminium casting, tilting casting furnace: no quick shut-off (or disconnection) at the mould-table inlet, or the level alarm not interlocked with the tilt control and the shut-off', '2026-11-30 00:00:00');
