-- error: model 'orders': file_format 'delta' is not one of parquet, orc, textfile, avro, sequencefile, rcfile, jsonfile

-- create schema if missing analytics
