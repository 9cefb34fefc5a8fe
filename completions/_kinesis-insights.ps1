
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kinesis-insights' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kinesis-insights'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kinesis-insights' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kinesis-insights;events' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End of the window (exclusive); same forms as --since')
            [CompletionResult]::new('--relative-to', '--relative-to', [CompletionResultType]::ParameterName, 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows shown per panel in tables (0 = all); the other formats carry every row')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--panel', '--panel', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Users kept by the top-users panel (0 = all)')
            [CompletionResult]::new('--event-name', '--event-name', [CompletionResultType]::ParameterName, 'Only these event names (exact or glob, e.g. ''Put*''; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only these users, as the user rule names them (exact or glob; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--source-ip', '--source-ip', [CompletionResultType]::ParameterName, 'Only these source addresses (exact, glob such as ''10.*'', or a network in CIDR notation such as 10.0.0.0/8 or 2600:1f18::/32; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Only these regions (exact or glob, e.g. ''eu-*''; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--geoip', '--geoip', [CompletionResultType]::ParameterName, 'MaxMind DB file for the locations panel (GeoLite2/GeoIP2 City or Country, DB-IP Lite, ip-location-db); repeat it to consult several in order, as ip-location-db''s IPv4 and IPv6 files [default: $KINESIS_INSIGHTS_GEOIP, else /usr/share/GeoIP/…]')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource''s ARN; exact or glob), or a stream''s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob)')
            [CompletionResult]::new('--from-csv', '--from-csv', [CompletionResultType]::ParameterName, 'Render panels from CSV instead of reading CloudTrail: a file, or every *.csv in a directory, each recognised by its header (as --output-dir writes them, or as an engine returns the `sql` queries); a source_ip,count file gives the locations panel (--geoip)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--spreadsheet-safe', '--spreadsheet-safe', [CompletionResultType]::ParameterName, 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)')
            [CompletionResult]::new('--dedup', '--dedup', [CompletionResultType]::ParameterName, 'Count each eventID once, when the same log was delivered or copied more than once')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kinesis-insights;metrics' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End of the window (exclusive); same forms as --since')
            [CompletionResult]::new('--relative-to', '--relative-to', [CompletionResultType]::ParameterName, 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows shown per panel in tables (0 = all); the other formats carry every row')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--panel', '--panel', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Bucket width, aligned to UTC [default: the shortest of 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries`, which says what each result Id is (needed to read get-metric-data output)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only these streams (exact or glob, or a stream''s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Only these shards (exact or glob, e.g. ''shardId-00000000000[0-3]''); stream-level series have no shard')
            [CompletionResult]::new('--label-stream', '--label-stream', [CompletionResultType]::ParameterName, 'Read get-metric-statistics output (which names no stream) as the stream NAME''s; without it such files are skipped with a warning. The series then passes the filters as any')
            [CompletionResult]::new('--label-shard', '--label-shard', [CompletionResultType]::ParameterName, 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Only these regions (exact or glob). get-metric-data and get-metric-statistics output carry no region; their series have an empty one')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only these AWS accounts (Metric Streams'' account_id, else the account in the S3 key AWSLogs/ACCOUNT/...; exact or glob). CLI outputs carry none')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--spreadsheet-safe', '--spreadsheet-safe', [CompletionResultType]::ParameterName, 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)')
            [CompletionResult]::new('--dedup', '--dedup', [CompletionResultType]::ParameterName, 'Count each datapoint once (per series, statistic and time; the first read wins), when the same export was read twice, exports overlap or a Metric Streams batch was delivered again. Without it, such repeats are counted again and a warning says how many')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kinesis-insights;health' {
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Skip inputs larger than this once decompressed [default: no limit]. Not needed for safety: any input is read in bounded memory; a cap for those who want one')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads, at most 4 per core [default: all cores]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start of the window (inclusive): a duration back from now (24h, 90m, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End of the window (exclusive); same forms as --since')
            [CompletionResult]::new('--relative-to', '--relative-to', [CompletionResultType]::ParameterName, 'What durations in --since/--until count back from: now, or the newest event (or datapoint) of the input, itself inclusive; `latest` shows e.g. the last day of an old dump')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--output-dir', '--output-dir', [CompletionResultType]::ParameterName, 'Write each panel to DIR/<panel>.<txt|csv|json> instead of standard output (html writes one page, DIR/<command>.<html>)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows shown per panel in tables (0 = all); the other formats carry every row')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--panel', '--panel', [CompletionResultType]::ParameterName, 'Panels to show, repeated or comma-separated [default: all]')
            [CompletionResult]::new('--datapoint-period', '--datapoint-period', [CompletionResultType]::ParameterName, 'The period of every datapoint [default: 60s for Metric Streams; for CLI exports the query period, found from the gaps between a stream''s datapoints]')
            [CompletionResult]::new('--queries', '--queries', [CompletionResultType]::ParameterName, 'The query file given to `aws cloudwatch get-metric-data --metric-data-queries` (needed to read get-metric-data output)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only these streams (exact or glob, or a stream''s ARN arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region; ''!PATTERN'' leaves them out; repeat for more)')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Only these shards in the shards panel and the shard findings (exact or glob); stream figures count every shard')
            [CompletionResult]::new('--label-stream', '--label-stream', [CompletionResultType]::ParameterName, 'Read get-metric-statistics output (which names no stream) as the stream NAME''s; without it such files are skipped with a warning. The series then passes the filters as any')
            [CompletionResult]::new('--label-shard', '--label-shard', [CompletionResultType]::ParameterName, 'With --label-stream: the shard get-metric-statistics output is of (a shard-level metric)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Only these regions (exact or glob)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only these AWS accounts (exact or glob): Metric Streams'' account_id and CloudTrail''s recipientAccountId, else the account in the S3 key AWSLogs/ACCOUNT/... CLI outputs carry none')
            [CompletionResult]::new('--hot-shard-pct', '--hot-shard-pct', [CompletionResultType]::ParameterName, 'hot-shard: a shard whose peak minute writes at least this % of its limit')
            [CompletionResult]::new('--hot-shard-share', '--hot-shard-share', [CompletionResultType]::ParameterName, 'hot-shard: a shard taking at least this many even shares of the stream''s writes')
            [CompletionResult]::new('--capacity-pct', '--capacity-pct', [CompletionResultType]::ParameterName, 'write-capacity, read-capacity: a stream whose peak minute uses at least this % of its capacity')
            [CompletionResult]::new('--bursty-pct', '--bursty-pct', [CompletionResultType]::ParameterName, 'write-throttling, read-throttling: throttled minutes under this % use are noted bursty')
            [CompletionResult]::new('--iterator-age-warning-pct', '--iterator-age-warning-pct', [CompletionResultType]::ParameterName, 'iterator-age: a warning at this % of retention')
            [CompletionResult]::new('--iterator-age-critical-pct', '--iterator-age-critical-pct', [CompletionResultType]::ParameterName, 'iterator-age: critical at this % of retention (data about to expire unread)')
            [CompletionResult]::new('--consumer-lag', '--consumer-lag', [CompletionResultType]::ParameterName, 'consumer-lag: an enhanced fan-out consumer whose MillisBehindLatest reaches this (and GetRecords consumers whose iterator age does, below the iterator-age levels)')
            [CompletionResult]::new('--resharding-changes', '--resharding-changes', [CompletionResultType]::ParameterName, 'resharding-churn: more than this many shard-count changes within 24 hours')
            [CompletionResult]::new('--over-provisioned-pct', '--over-provisioned-pct', [CompletionResultType]::ParameterName, 'over-provisioned: a peak under this % of capacity...')
            [CompletionResult]::new('--over-provisioned-min-data', '--over-provisioned-min-data', [CompletionResultType]::ParameterName, '... over at least this much data')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit with status 3 when a finding of this severity or worse exists (for cron and CI)')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links to directories while walking (loops are detected)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary and no progress bar on stderr (warnings still print)')
            [CompletionResult]::new('--spreadsheet-safe', '--spreadsheet-safe', [CompletionResultType]::ParameterName, 'In CSV, prefix text cells starting with =, +, -, @, tab or CR with a '' so spreadsheets show them instead of running them as formulas (CSV is exact without it)')
            [CompletionResult]::new('--dedup', '--dedup', [CompletionResultType]::ParameterName, 'Count each datapoint once (per series, statistic and time; the first read wins) and each CloudTrail eventID once, when the same file was read twice, exports overlap or a batch was delivered again. Without it, repeated datapoints are counted again and a warning says how many')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kinesis-insights;sql' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The engine to write SQL for')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'The engine to write SQL for')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Where the trail''s files are: athena, trino: the S3 prefix of one account up to CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…, a folder); duckdb: a folder, a glob or an s3:// URL')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Where the trail''s files are: athena, trino: the S3 prefix of one account up to CloudTrail/ (s3://BUCKET/AWSLogs/ACCOUNT/CloudTrail/); spark: any Hadoop path (s3a://…, a folder); duckdb: a folder, a glob or an s3:// URL')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'athena, trino: read this existing table (the AWS documentation''s CloudTrail table) instead of creating one over --location')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Panels to write queries for, repeated or comma-separated [default: all but locations, whose query gives source_ip,count for `events --from-csv` with --geoip]')
            [CompletionResult]::new('--panel', '--panel', [CompletionResultType]::ParameterName, 'Panels to write queries for, repeated or comma-separated [default: all but locations, whose query gives source_ip,count for `events --from-csv` with --geoip]')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'Width of the events-over-time buckets, aligned to UTC [default: 1h; over more than 7 days the shortest of 3h, 6h, 12h, 1d, 7d giving at most 300 buckets]')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Users kept by the top-users panel (0 = all)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Start of the window (inclusive): a duration back from now (24h, 7d) or a time (2024-03-09, 2024-03-09T10:00:00Z). Durations are resolved when the script is written')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'End of the window (exclusive); same forms as --since')
            [CompletionResult]::new('--event-name', '--event-name', [CompletionResultType]::ParameterName, 'Only these event names (exact or glob, e.g. ''Put*''; repeat for more)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Only these users, as the user rule names them (exact or glob; repeat for more)')
            [CompletionResult]::new('--source-ip', '--source-ip', [CompletionResultType]::ParameterName, 'Only these source addresses (exact or glob; repeat for more)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Only these regions (exact or glob; repeat for more)')
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Only calls about these streams (streamName, else the stream in streamARN, consumerARN, resourceARN or the first resource''s ARN; exact or glob), or a stream''s ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME: that stream in that account and region)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only calls to resources of these AWS accounts (recipientAccountId, else the account in the S3 key; exact or glob)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kinesis-insights;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kinesis-insights;help' {
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'The Events dashboard: Kinesis API calls from CloudTrail logs (S3 layout, JSON arrays, JSON lines, lookup-events output; gzip or not)')
            [CompletionResult]::new('metrics', 'metrics', [CompletionResultType]::ParameterValue, 'The Metrics dashboard: throughput, latency, throttling and iterator age of streams, from CloudWatch Metric Streams files (JSON or OpenTelemetry 0.7/1.0) or `aws cloudwatch get-metric-data` / `get-metric-statistics` output')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Stream health: hot shards, use of capacity, throttling, failed puts, iterator age and consumer lag against retention, and capacity changes, from CloudWatch exports and CloudTrail logs in the same paths; ranked findings first')
            [CompletionResult]::new('sql', 'sql', [CompletionResultType]::ParameterValue, 'The Events panels as one SQL script for Athena, Trino, Spark or DuckDB, to run next to a trail too big for one machine; `events --from-csv` renders the results')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to standard output')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kinesis-insights;help;events' {
            break
        }
        'kinesis-insights;help;metrics' {
            break
        }
        'kinesis-insights;help;health' {
            break
        }
        'kinesis-insights;help;sql' {
            break
        }
        'kinesis-insights;help;completions' {
            break
        }
        'kinesis-insights;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
