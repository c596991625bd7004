DROP TABLE disclosures;
DROP TABLE rewards;
DROP TABLE reward_policies;
