-- Back to 000003's numbering: the tilting-furnace item folds into MEM10-5-8 again.
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-9"', '"MEM10-5-8"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-9"', '"MEM10-5-8"');
DELETE FROM criteria WHERE code = 'MEM10-5-9' AND enterprise_id IS NULL;
UPDATE criteria
   SET summary_zh = '铝深井铸造未设紧急排放、快速切断或流槽断开等防铝液进井措施',
       summary_en = 'Deep-well aluminium casting without emergency discharge, quick shut-off or launder disconnection to keep molten metal out of the pit'
 WHERE code = 'MEM10-5-8' AND enterprise_id IS NULL;
UPDATE criteria SET code = 'MEM10-5-9', article = '第5条第9项' WHERE code = 'MEM10-5-10' AND enterprise_id IS NULL;
UPDATE criteria SET code = 'MEM10-5-10', article = '第5条第10项' WHERE code = 'MEM10-5-11' AND enterprise_id IS NULL;
UPDATE criteria SET code = 'MEM10-5-11', article = '第5条第11项' WHERE code = 'MEM10-5-12' AND enterprise_id IS NULL;
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-10"', '"MEM10-5-9"');
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-11"', '"MEM10-5-10"');
UPDATE hazards SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-12"', '"MEM10-5-11"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-10"', '"MEM10-5-9"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-11"', '"MEM10-5-10"');
UPDATE reports SET criterion_codes = REPLACE(criterion_codes, '"MEM10-5-12"', '"MEM10-5-11"');
