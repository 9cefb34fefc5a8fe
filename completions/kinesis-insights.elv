
use builtin;
use str;

set edit:completion:arg-completer[kinesis-insights] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kinesis-insights'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kinesis-insights'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand events 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)'
            cand metrics 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output'
            cand health 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first'
            cand sql 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results'
            cand completions 'Print a shell completion script to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kinesis-insights;events'= {
            cand --max-file-size 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one'
            cand -j 'Worker threads, at most 4 per core [default: all cores]'
            cand --threads 'Worker threads, at most 4 per core [default: all cores]'
            cand --since 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)'
            cand --until 'End of the window (exclusive); same forms as --since'
            cand --relative-to 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -o 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --output-dir 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --limit 'Rows shown per panel in tables (0 = all); the other formats carry every row'
            cand -p 'Panels to show, repeated or comma-separated [default: all]'
            cand --panel 'Panels to show, repeated or comma-separated [default: all]'
            cand --bucket 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]'
            cand --top 'Users kept by the top-users panel (0 = all)'
            cand --event-name 'Only these event names (exact or glob, e.g. ''Put*''; ''!PATTERN'' leaves them out; repeat for more)'
            cand --user 'Only these users, as the user rule names them (exact or glob; ''!PATTERN'' leaves them out; repeat for more)'
            cand --source-ip 'Only these source addresses (exact, glob such as ''10.*'', or a network in CIDR notation such as 10.0.0.0/8 or 2600:1f18::/32; ''!PATTERN'' leaves them out; repeat for more)'
            cand --region 'Only these regions (exact or glob, e.g. ''eu-*''; ''!PATTERN'' leaves them out; repeat for more)'
            cand --geoip 'MaxMind DB file for the locations panel (GeoLite2/GeoIP2 City or Country, DB-IP Lite, ip-location-db); repeat it to consult several in order, as ip-location-db''s IPv4 and IPv6 files [default: $KINESIS_INSIGHTS_GEOIP, else /usr/share/GeoIP/…]'
            cand --stream 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource''s ARN; exact or glob), or a stream''s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)'
            cand --account 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob)'
            cand --from-csv 'Render panels from CSV instead of reading CloudTrail: a file, or every *.csv in a directory, each recognised by its header (as --output-dir writes them, or as an engine returns the `sql` queries); a source_ip,count file gives the locations panel (--geoip)'
            cand -L 'Follow symbolic links to directories while walking (loops are detected)'
            cand --follow 'Follow symbolic links to directories while walking (loops are detected)'
            cand -q 'No summary and no progress bar on stderr (warnings still print)'
            cand --quiet 'No summary and no progress bar on stderr (warnings still print)'
            cand --spreadsheet-safe 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
            cand --dedup 'Count each eventID once, when the same log was delivered or copied more than once'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kinesis-insights;metrics'= {
            cand --max-file-size 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one'
            cand -j 'Worker threads, at most 4 per core [default: all cores]'
            cand --threads 'Worker threads, at most 4 per core [default: all cores]'
            cand --since 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)'
            cand --until 'End of the window (exclusive); same forms as --since'
            cand --relative-to 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -o 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --output-dir 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --limit 'Rows shown per panel in tables (0 = all); the other formats carry every row'
            cand -p 'Panels to show, repeated or comma-separated [default: all]'
            cand --panel 'Panels to show, repeated or comma-separated [default: all]'
            cand --period 'Bucket width, aligned to UTC [default: the shortest of 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]'
            cand --queries 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries`, which says what each result Id is (needed to read get-metric-data output)'
            cand --stream 'Only these streams (exact or glob, or a stream''s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; ''!PATTERN'' leaves them out; repeat for more)'
            cand --shard 'Only these shards (exact or glob, e.g. ''shardId-00000000000[0-3]''); stream-level series have no shard'
            cand --label-stream 'Read get-metric-statistics output (which names no stream) as the stream NAME''s; without it such files are skipped with a warning. The series then passes the filters as any'
            cand --label-shard 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)'
            cand --region 'Only these regions (exact or glob). get-metric-data and get-metric-statistics output carry no region; their series have an empty one'
            cand --account 'Only these AWS accounts (Metric Streams'' account_id, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob). CLI outputs carry none'
            cand -L 'Follow symbolic links to directories while walking (loops are detected)'
            cand --follow 'Follow symbolic links to directories while walking (loops are detected)'
            cand -q 'No summary and no progress bar on stderr (warnings still print)'
            cand --quiet 'No summary and no progress bar on stderr (warnings still print)'
            cand --spreadsheet-safe 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
            cand --dedup 'Count each datapoint once (per series, statistic and time; the first read wins), when the same export was read twice, exports overlap or a Metric Streams batch was delivered again. Without it, such repeats are counted again and a warning says how many'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kinesis-insights;health'= {
            cand --max-file-size 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one'
            cand -j 'Worker threads, at most 4 per core [default: all cores]'
            cand --threads 'Worker threads, at most 4 per core [default: all cores]'
            cand --since 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)'
            cand --until 'End of the window (exclusive); same forms as --since'
            cand --relative-to 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump'
            cand -f 'Output format'
            cand --format 'Output format'
            cand -o 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --output-dir 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)'
            cand --limit 'Rows shown per panel in tables (0 = all); the other formats carry every row'
            cand -p 'Panels to show, repeated or comma-separated [default: all]'
            cand --panel 'Panels to show, repeated or comma-separated [default: all]'
            cand --datapoint-period 'The period of every datapoint [default: 60s for Metric Streams; for CLI exports the query period, found from the gaps between a stream''s datapoints]'
            cand --queries 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries` (needed to read get-metric-data output)'
            cand --stream 'Only these streams (exact or glob, or a stream''s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; ''!PATTERN'' leaves them out; repeat for more)'
            cand --shard 'Only these shards in the shards panel and the shard findings (exact or glob); stream figures count every shard'
            cand --label-stream 'Read get-metric-statistics output (which names no stream) as the stream NAME''s; without it such files are skipped with a warning. The series then passes the filters as any'
            cand --label-shard 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)'
            cand --region 'Only these regions (exact or glob)'
            cand --account 'Only these AWS accounts (exact or glob): Metric Streams'' account_id and CloudTrail''s recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/... CLI outputs carry none'
            cand --hot-shard-pct 'hot-shard: a shard whose peak minute writes at least this % of its limit'
            cand --hot-shard-share 'hot-shard: a shard taking at least this many even shares of the stream''s writes'
            cand --capacity-pct 'write-capacity, read-capacity: a stream whose peak minute uses at least this % of its capacity'
            cand --bursty-pct 'write-throttling, read-throttling: throttled minutes under this % use are noted bursty'
            cand --iterator-age-warning-pct 'iterator-age: a warning at this % of retention'
            cand --iterator-age-critical-pct 'iterator-age: critical at this % of retention (data about to expire unread)'
            cand --consumer-lag 'consumer-lag: an enhanced fan-out consumer whose MillisBehindLatest reaches this (and GetRecords consumers whose iterator age does, below the iterator-age levels)'
            cand --resharding-changes 'resharding-churn: more than this many shard-count changes within 24 hours'
            cand --over-provisioned-pct 'over-provisioned: a peak under this % of capacity...'
            cand --over-provisioned-min-data '... over at least this much data'
            cand --fail-on 'Exit with status 3 when a finding of this severity or worse exists (for cron and CI)'
            cand -L 'Follow symbolic links to directories while walking (loops are detected)'
            cand --follow 'Follow symbolic links to directories while walking (loops are detected)'
            cand -q 'No summary and no progress bar on stderr (warnings still print)'
            cand --quiet 'No summary and no progress bar on stderr (warnings still print)'
            cand --spreadsheet-safe 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)'
            cand --dedup 'Count each datapoint once (per series, statistic and time; the first read wins) and each CloudTrail eventID once, when the same file was read twice, exports overlap or a batch was delivered again. Without it, repeated datapoints are counted again and a warning says how many'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kinesis-insights;sql'= {
            cand -e 'The engine to write SQL for'
            cand --engine 'The engine to write SQL for'
            cand -l 'Where the trail''s files are: athena, trino: the S3 prefix of one account up to CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…, a folder); duckdb: a folder, a glob or an s3:// URL'
            cand --location 'Where the trail''s files are: athena, trino: the S3 prefix of one account up to CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…, a folder); duckdb: a folder, a glob or an s3:// URL'
            cand --table 'athena, trino: read this existing table (the AWS documentation''s CloudTrail table) instead of creating one over --location'
            cand -p 'Panels to write queries for, repeated or comma-separated [default: all but locations, whose query gives source_ip,count for `events --from-csv` with --geoip]'
            cand --panel 'Panels to write queries for, repeated or comma-separated [default: all but locations, whose query gives source_ip,count for `events --from-csv` with --geoip]'
            cand --bucket 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]'
            cand --top 'Users kept by the top-users panel (0 = all)'
            cand --since 'Start of the window (inclusive): a duration back from now (24h, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z). Durations are resolved when the script is written'
            cand --until 'End of the window (exclusive); same forms as --since'
            cand --event-name 'Only these event names (exact or glob, e.g. ''Put*''; repeat for more)'
            cand --user 'Only these users, as the user rule names them (exact or glob; repeat for more)'
            cand --source-ip 'Only these source addresses (exact or glob; repeat for more)'
            cand --region 'Only these regions (exact or glob; repeat for more)'
            cand --stream 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource''s ARN; exact or glob), or a stream''s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)'
            cand --account 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key; exact or glob)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kinesis-insights;completions'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kinesis-insights;help'= {
            cand events 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)'
            cand metrics 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output'
            cand health 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first'
            cand sql 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results'
            cand completions 'Print a shell completion script to standard output'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kinesis-insights;help;events'= {
        }
        &'kinesis-insights;help;metrics'= {
        }
        &'kinesis-insights;help;health'= {
        }
        &'kinesis-insights;help;sql'= {
        }
        &'kinesis-insights;help;completions'= {
        }
        &'kinesis-insights;help;help'= {
        }
    ]
    $completions[$command]
}
