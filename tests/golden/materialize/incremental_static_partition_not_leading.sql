-- error: model 'events': static partition values must be given for a leading part of partition_by (ds, hr)
-- hint: Hive does not allow a dynamic partition column before a static one

-- create schema if missing analytics
