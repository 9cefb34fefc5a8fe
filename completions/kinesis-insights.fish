# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kinesis_insights_global_optspecs
    string join \n h/help V/version
end

function __fish_kinesis_insights_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kinesis_insights_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kinesis_insights_using_subcommand
    set -l cmd (__fish_kinesis_insights_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -s h -l help -d 'Print help'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "events" -d 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "metrics" -d 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "health" -d 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "sql" -d 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "completions" -d 'Print a shell completion script to standard output'
complete -c kinesis-insights -n "__fish_kinesis_insights_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l max-file-size -d 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s j -l threads -d 'Worker threads, at most 4 per core [default: all cores]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l since -d 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l until -d 'End of the window (exclusive); same forms as --since' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l relative-to -d 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump' -r -f -a "now\t'The current time'
latest\t'The time of the newest record in the input (reads the input twice)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s f -l format -d 'Output format' -r -f -a "table\t'Titled tables for reading, fitted to the terminal width (on a pipe: COLUMNS, else 100)'
csv\t'CSV with a header (one panel on stdout, or every panel with --output-dir)'
json\t'One JSON document with every panel'
html\t'One self-contained page of charts, a world map and sortable tables (> report.html)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s o -l output-dir -d 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l limit -d 'Rows shown per panel in tables (0 = all); the other formats carry every row' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s p -l panel -d 'Panels to show, repeated or comma-separated [default: all]' -r -f -a "events\t''
events-over-time\t''
api-calls\t''
by-user\t''
by-region\t''
errors\t''
top-users\t''
locations\t''"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l bucket -d 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l top -d 'Users kept by the top-users panel (0 = all)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l event-name -d 'Only these event names (exact or glob, e.g. \'Put*\'; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l user -d 'Only these users, as the user rule names them (exact or glob; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l source-ip -d 'Only these source addresses (exact, glob such as \'10.*\', or a network in CIDR notation such as 10.0.0.0/8 or 2600:1f18::/32; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l region -d 'Only these regions (exact or glob, e.g. \'eu-*\'; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l geoip -d 'MaxMind DB file for the locations panel (GeoLite2/GeoIP2 City or Country, DB-IP Lite, ip-location-db); repeat it to consult several in order, as ip-location-db\'s IPv4 and IPv6 files [default: $KINESIS_INSIGHTS_GEOIP, else /usr/share/GeoIP/…]' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l stream -d 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource\'s ARN; exact or glob), or a stream\'s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l account -d 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l from-csv -d 'Render panels from CSV instead of reading CloudTrail: a file, or every *.csv in a directory, each recognised by its header (as --output-dir writes them, or as an engine returns the `sql` queries); a source_ip,count file gives the locations panel (--geoip)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s L -l follow -d 'Follow symbolic links to directories while walking (loops are detected)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s q -l quiet -d 'No summary and no progress bar on stderr (warnings still print)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l spreadsheet-safe -d 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a \' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -l dedup -d 'Count each eventID once, when the same log was delivered or copied more than once'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand events" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l max-file-size -d 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s j -l threads -d 'Worker threads, at most 4 per core [default: all cores]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l since -d 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l until -d 'End of the window (exclusive); same forms as --since' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l relative-to -d 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump' -r -f -a "now\t'The current time'
latest\t'The time of the newest record in the input (reads the input twice)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s f -l format -d 'Output format' -r -f -a "table\t'Titled tables for reading, fitted to the terminal width (on a pipe: COLUMNS, else 100)'
csv\t'CSV with a header (one panel on stdout, or every panel with --output-dir)'
json\t'One JSON document with every panel'
html\t'One self-contained page of charts, a world map and sortable tables (> report.html)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s o -l output-dir -d 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l limit -d 'Rows shown per panel in tables (0 = all); the other formats carry every row' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s p -l panel -d 'Panels to show, repeated or comma-separated [default: all]' -r -f -a "incoming-bytes\t''
incoming-records\t''
get-bytes\t''
get-records\t''
put-latency\t''
get-latency\t''
write-exceeded\t''
read-exceeded\t''
get-success\t''
iterator-age\t''"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l period -d 'Bucket width, aligned to UTC [default: the shortest of 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l queries -d 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries`, which says what each result Id is (needed to read get-metric-data output)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l stream -d 'Only these streams (exact or glob, or a stream\'s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l shard -d 'Only these shards (exact or glob, e.g. \'shardId-00000000000[0-3]\'); stream-level series have no shard' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l label-stream -d 'Read get-metric-statistics output (which names no stream) as the stream NAME\'s; without it such files are skipped with a warning. The series then passes the filters as any' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l label-shard -d 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l region -d 'Only these regions (exact or glob). get-metric-data and get-metric-statistics output carry no region; their series have an empty one' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l account -d 'Only these AWS accounts (Metric Streams\' account_id, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob). CLI outputs carry none' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s L -l follow -d 'Follow symbolic links to directories while walking (loops are detected)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s q -l quiet -d 'No summary and no progress bar on stderr (warnings still print)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l spreadsheet-safe -d 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a \' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -l dedup -d 'Count each datapoint once (per series, statistic and time; the first read wins), when the same export was read twice, exports overlap or a Metric Streams batch was delivered again. Without it, such repeats are counted again and a warning says how many'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand metrics" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l max-file-size -d 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s j -l threads -d 'Worker threads, at most 4 per core [default: all cores]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l since -d 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l until -d 'End of the window (exclusive); same forms as --since' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l relative-to -d 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump' -r -f -a "now\t'The current time'
latest\t'The time of the newest record in the input (reads the input twice)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s f -l format -d 'Output format' -r -f -a "table\t'Titled tables for reading, fitted to the terminal width (on a pipe: COLUMNS, else 100)'
csv\t'CSV with a header (one panel on stdout, or every panel with --output-dir)'
json\t'One JSON document with every panel'
html\t'One self-contained page of charts, a world map and sortable tables (> report.html)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s o -l output-dir -d 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l limit -d 'Rows shown per panel in tables (0 = all); the other formats carry every row' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s p -l panel -d 'Panels to show, repeated or comma-separated [default: all]' -r -f -a "findings\t''
shards\t''
streams\t''
write-use\t''
consumers\t''
changes\t''"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l datapoint-period -d 'The period of every datapoint [default: 60s for Metric Streams; for CLI exports the query period, found from the gaps between a stream\'s datapoints]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l queries -d 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries` (needed to read get-metric-data output)' -r -F
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l stream -d 'Only these streams (exact or glob, or a stream\'s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; \'!PATTERN\' leaves them out; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l shard -d 'Only these shards in the shards panel and the shard findings (exact or glob); stream figures count every shard' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l label-stream -d 'Read get-metric-statistics output (which names no stream) as the stream NAME\'s; without it such files are skipped with a warning. The series then passes the filters as any' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l label-shard -d 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l region -d 'Only these regions (exact or glob)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l account -d 'Only these AWS accounts (exact or glob): Metric Streams\' account_id and CloudTrail\'s recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/... CLI outputs carry none' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l hot-shard-pct -d 'hot-shard: a shard whose peak minute writes at least this % of its limit' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l hot-shard-share -d 'hot-shard: a shard taking at least this many even shares of the stream\'s writes' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l capacity-pct -d 'write-capacity, read-capacity: a stream whose peak minute uses at least this % of its capacity' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l bursty-pct -d 'write-throttling, read-throttling: throttled minutes under this % use are noted bursty' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l iterator-age-warning-pct -d 'iterator-age: a warning at this % of retention' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l iterator-age-critical-pct -d 'iterator-age: critical at this % of retention (data about to expire unread)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l consumer-lag -d 'consumer-lag: an enhanced fan-out consumer whose MillisBehindLatest reaches this (and GetRecords consumers whose iterator age does, below the iterator-age levels)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l resharding-changes -d 'resharding-churn: more than this many shard-count changes within 24 hours' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l over-provisioned-pct -d 'over-provisioned: a peak under this % of capacity...' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l over-provisioned-min-data -d '... over at least this much data' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l fail-on -d 'Exit with status 3 when a finding of this severity or worse exists (for cron and CI)' -r -f -a "warning\t'Warnings and critical findings'
critical\t'Critical findings only'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s L -l follow -d 'Follow symbolic links to directories while walking (loops are detected)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s q -l quiet -d 'No summary and no progress bar on stderr (warnings still print)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l spreadsheet-safe -d 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a \' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -l dedup -d 'Count each datapoint once (per series, statistic and time; the first read wins) and each CloudTrail eventID once, when the same file was read twice, exports overlap or a batch was delivered again. Without it, repeated datapoints are counted again and a warning says how many'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand health" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -s e -l engine -d 'The engine to write SQL for' -r -f -a "athena\t'Amazon Athena (engine 3): a CloudTrail table with partition projection'
trino\t'Trino, on a CloudTrail table in a Hive or Glue metastore'
spark\t'Spark SQL 3.x: a temporary view over any Hadoop path'
duckdb\t'DuckDB: a view over a folder, a glob or s3:// (httpfs)'"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -s l -l location -d 'Where the trail\'s files are: athena, trino: the S3 prefix of one account up to CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…, a folder); duckdb: a folder, a glob or an s3:// URL' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l table -d 'athena, trino: read this existing table (the AWS documentation\'s CloudTrail table) instead of creating one over --location' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -s p -l panel -d 'Panels to write queries for, repeated or comma-separated [default: all but locations, whose query gives source_ip,count for `events --from-csv` with --geoip]' -r -f -a "events\t''
events-over-time\t''
api-calls\t''
by-user\t''
by-region\t''
errors\t''
top-users\t''
locations\t''"
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l bucket -d 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l top -d 'Users kept by the top-users panel (0 = all)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l since -d 'Start of the window (inclusive): a duration back from now (24h, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z). Durations are resolved when the script is written' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l until -d 'End of the window (exclusive); same forms as --since' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l event-name -d 'Only these event names (exact or glob, e.g. \'Put*\'; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l user -d 'Only these users, as the user rule names them (exact or glob; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l source-ip -d 'Only these source addresses (exact or glob; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l region -d 'Only these regions (exact or glob; repeat for more)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l stream -d 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource\'s ARN; exact or glob), or a stream\'s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -l account -d 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key; exact or glob)' -r
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand sql" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand completions" -s V -l version -d 'Print version'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "events" -d 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "metrics" -d 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "health" -d 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "sql" -d 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "completions" -d 'Print a shell completion script to standard output'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand help; and not __fish_seen_subcommand_from events metrics health sql completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kinesis-insights -n "__fish_kinesis_insights_using_subcommand completions" -f -a "bash elvish fish powershell zsh"
