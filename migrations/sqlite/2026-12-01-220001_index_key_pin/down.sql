DROP TABLE key_pins;
