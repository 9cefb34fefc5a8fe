#!/usr/bin/env python3
"""Parses every statement of the Athena and Trino scripts `kinesis-insights sql` writes with a real
parser (sqlglot), and checks the table DDL against the AWS documentation's. No engine runs here:
this proves the scripts are well-formed Trino SQL and Hive DDL, not that they give the panels.

    check_trino.py --bin target/debug/kinesis-insights

The DDL is parsed as Athena DDL (Hive syntax, which is what Athena runs for CREATE EXTERNAL
TABLE); the views and queries as Trino (Athena engine 3 is Trino). The reference is the
statement of the Athena User Guide, "Create the table for CloudTrail logs in Athena using
partition projection" (docs.aws.amazon.com/athena/latest/ug/create-cloudtrail-table-partition-projection.html),
copied below with its placeholders.
"""

import argparse
import re
import subprocess
import sys

import sqlglot
from sqlglot import exp

AWS_DOC_DDL = """
CREATE EXTERNAL TABLE cloudtrail_logs_pp(
    eventversion STRING,
    useridentity STRUCT<
        type: STRING,
        principalid: STRING,
        arn: STRING,
        accountid: STRING,
        invokedby: STRING,
        accesskeyid: STRING,
        username: STRING,
        onbehalfof: STRUCT<
             userid: STRING,
             identitystorearn: STRING>,
        sessioncontext: STRUCT<
            attributes: STRUCT<
                mfaauthenticated: STRING,
                creationdate: STRING>,
            sessionissuer: STRUCT<
                type: STRING,
                principalid: STRING,
                arn: STRING,
                accountid: STRING,
                username: STRING>,
            ec2roledelivery:string,
            webidfederationdata: STRUCT<
                federatedprovider: STRING,
                attributes: map<string,string>>
        >
    >,
    eventtime STRING,
    eventsource STRING,
    eventname STRING,
    awsregion STRING,
    sourceipaddress STRING,
    useragent STRING,
    errorcode STRING,
    errormessage STRING,
    requestparameters STRING,
    responseelements STRING,
    additionaleventdata STRING,
    requestid STRING,
    eventid STRING,
    readonly STRING,
    resources ARRAY<STRUCT<
        arn: STRING,
        accountid: STRING,
        type: STRING>>,
    eventtype STRING,
    apiversion STRING,
    recipientaccountid STRING,
    serviceeventdetails STRING,
    sharedeventid STRING,
    vpcendpointid STRING,
    vpcendpointaccountid STRING,
    eventcategory STRING,
    addendum STRUCT<
      reason:STRING,
      updatedfields:STRING,
      originalrequestid:STRING,
      originaleventid:STRING>,
    sessioncredentialfromconsole STRING,
    edgedevicedetails STRING,
    tlsdetails STRUCT<
      tlsversion:STRING,
      ciphersuite:STRING,
      clientprovidedhostheader:STRING>
  )
PARTITIONED BY (
   `timestamp` string)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION
  's3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.timestamp.format'='yyyy/MM/dd',
  'projection.timestamp.interval'='1',
  'projection.timestamp.interval.unit'='DAYS',
  'projection.timestamp.range'='2020/01/01,NOW',
  'projection.timestamp.type'='date',
  'storage.location.template'='s3://amzn-s3-demo-bucket/AWSLogs/account-id/CloudTrail/aws-region/${timestamp}')
"""

FLAG_SETS = [
    [],
    ["--since", "2024-03-09T06:00:00Z", "--until", "2024-03-10", "--bucket", "15m", "--top", "3"],
    ["--event-name", "Put*", "--event-name", "GetRecords", "--region", "eu-*", "--user", "a'b",
     "--source-ip", "10.0.0.[12]", "--stream", "{orders,clicks}", "--account", "1111*"],
    ["--since", "7d", "--panel", "locations,events-over-time"],
    ["--source-ip", "10.0.0.0/8", "--source-ip", "!10.1.0.0/16", "--event-name", "!Put*"],
]


def statements(script):
    out, cur = [], []
    for line in script.split("\n"):
        if re.fullmatch(r"-- panel: \S+", line):
            continue
        cur.append(line)
        if line.endswith(";"):
            out.append("\n".join(cur).rstrip(";"))
            cur = []
    return out


def parse(sql, dialect):
    # RAISE: a statement sqlglot cannot read fails instead of becoming an opaque Command.
    tree = sqlglot.parse_one(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    if isinstance(tree, exp.Command):
        raise ValueError(f"not parsed, only passed through as a command: {sql[:80]}")
    return tree


def table_shape(tree):
    """Columns (name, type), partition columns, row format / input / output, properties."""
    schema = tree.this
    columns = [(c.name.lower(), c.args["kind"].sql("hive").upper()) for c in schema.expressions]
    partitions, formats, props = [], [], {}
    for p in tree.args["properties"].expressions:
        if isinstance(p, exp.PartitionedByProperty):
            partitions = [c.name.lower() for c in p.this.expressions]
        elif isinstance(p, (exp.RowFormatSerdeProperty, exp.FileFormatProperty)):
            formats.append(p.sql("hive"))
        elif isinstance(p, exp.Property) and p.args.get("value") is not None:
            props[p.name] = p.args["value"].name
    return columns, partitions, formats, props


def check_ddl(tree, where):
    doc = table_shape(parse(AWS_DOC_DDL, "athena"))
    ours = table_shape(tree)
    problems = []
    if ours[0] != doc[0]:
        problems.append(f"columns differ from the AWS documentation's:\n  {ours[0]}\n  {doc[0]}")
    if ours[1] != ["region", "timestamp"]:
        problems.append(f"partitions {ours[1]} (want region and the documentation's timestamp)")
    if ours[2] != doc[2]:
        problems.append(f"row format / input / output {ours[2]} != {doc[2]}")
    for key, value in doc[3].items():
        if key in ("projection.timestamp.range", "storage.location.template"):
            continue
        if ours[3].get(key) != value:
            problems.append(f"property {key} = {ours[3].get(key)!r}, the documentation's {value!r}")
    template = ours[3].get("storage.location.template", "")
    if not template.endswith("/${region}/${timestamp}"):
        problems.append(f"storage.location.template {template!r}")
    if ours[3].get("projection.region.type") != "enum" or "us-east-1" not in ours[3].get(
        "projection.region.values", ""
    ):
        problems.append("region is not projected as an enum of regions")
    if not re.fullmatch(r"\d{4}/\d{2}/\d{2},NOW", ours[3].get("projection.timestamp.range", "")):
        problems.append(f"projection.timestamp.range {ours[3].get('projection.timestamp.range')!r}")
    for p in problems:
        print(f"MISMATCH {where}: {p}")
    return not problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    ok = True
    parsed = ddls = 0
    for engine in ["athena", "trino"]:
        for source in [["--location", "s3://bucket/AWSLogs/111122223333/CloudTrail/"],
                       ["--table", "cloudtrail_logs_pp"]]:
            for flags in FLAG_SETS:
                cmd = [args.bin, "sql", "--engine", engine] + source + flags
                script = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                where = " ".join(cmd[1:])
                created = False
                for stmt in statements(script):
                    body = "\n".join(l for l in stmt.split("\n") if not l.startswith("--"))
                    try:
                        if body.lstrip().startswith("CREATE EXTERNAL TABLE"):
                            ok &= check_ddl(parse(body, "athena"), where)
                            created = True
                            ddls += 1
                        else:
                            parse(body, "trino")
                        parsed += 1
                    except Exception as e:  # noqa: BLE001 - every failure is reported
                        ok = False
                        print(f"PARSE ERROR {where}: {e}\n{body[:400]}")
                if engine == "trino" and "--location" in source:
                    # Trino runs no Hive DDL: the table is given as a comment to run in Athena.
                    lines, inside = [], False
                    for line in script.split("\n"):
                        text = line[3:] if line.startswith("-- ") else None
                        if text is not None and text.startswith("CREATE EXTERNAL TABLE"):
                            inside = True
                        if inside and text is not None:
                            lines.append(text)
                            if text == ")" and any("storage.location" in x for x in lines):
                                break
                    ddl = "\n".join(lines)
                    ok &= check_ddl(parse(ddl, "athena"), where + " (comment)")
                    ddls += 1
                elif engine == "athena" and "--location" in source and not created:
                    ok = False
                    print(f"MISSING DDL {where}")
                elif "--table" in source and created:
                    ok = False
                    print(f"DDL WITH --table {where}")
    print(f"athena/trino: {parsed} statements parsed, {ddls} tables checked against the AWS "
          f"documentation's DDL, {'all good' if ok else 'PROBLEMS'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
