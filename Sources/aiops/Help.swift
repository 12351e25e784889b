enum Help {
    static let version = "0.1.0"

    static let main = """
    aiops: anomaly detection for Prometheus metrics, with remediation advice in Slack.

    Usage:
      aiops serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--rules DIR]
                                         receive Prometheus remote write and report anomalies
      aiops replay FILE... [options]     run metric files through the pipeline at full speed
      aiops forecast FILE... [--hours N] [--format text|json|csv]
                                         replay files and print the next hours' forecast (80% interval)
      aiops rules check [DIR|FILE]       validate rule files
      aiops restore --data DIR --workspace NAME [--list | --date YYYY-MM-DD]
                                         put a Pro workspace's daily backup back as its snapshot
      aiops evaluate DATA_DIR --windows WINDOWS.json
                                         score the detectors on labeled data (NAB scoring)
      aiops evaluate SCENARIO_DIR [--baseline FILE] [--write-baseline FILE]
                                         score the incidents on a scenario corpus (labels.json)
      aiops evaluate --forecast DIR...   backtest the forecasts (MASE, interval coverage)
      aiops --help | --version

    Run 'aiops COMMAND --help' for a command's options.
    Exit status: 0 success, 1 bad input or a failure, 2 a usage error.
    """

    static let replay = """
    Usage: aiops replay FILE... [--rules DIR] [--metric 'name{labels}'] [--format text|json] [--scores OUT.csv] [--html OUT.html]
                        [--slack-dry-run | --slack URL [--allow-webhook-host HOST]...] [--quiet]
                        [--daily-summary [--plan pro|hobby] [--summary-at HH:MM] [--time-zone ZONE]]

    Runs each file through the same pipeline as 'aiops serve', with event time from the file,
    and prints the incidents. Formats: CSV 'timestamp,value' (RFC 3339, 'YYYY-MM-DD HH:MM:SS'
    UTC, or Unix seconds/milliseconds), Prometheus query_range JSON, Prometheus text /
    OpenMetrics exposition with timestamps. Each file is replayed on its own.

    Options:
      --rules DIR         rule files (default: ./rules, else the rules shipped beside the binary;
                          series no rule selects get the built-in 'auto' rule)
      --metric SERIES     identity of a single-series CSV, e.g. 'node_load1{instance="a"}'
                          (default: the file's base name as metric name)
      --format text|json  text: a readable incident list (default); json: one object per incident per line
      --scores OUT.csv    write 'timestamp,value,anomaly_score' for every input row; with several
                          inputs OUT-<name>.csv each, or <name>.scores.csv inside OUT/ if it is a directory
      --html OUT.html     also write one self-contained HTML report (opens from disk, fetches
                          nothing): every file's incidents, and a plot of every series with an
                          incident (or of the series --metric names): values, expected value and
                          band, score, incident spans; long series drawn as each pixel's lowest
                          and highest value, so spikes stay visible
      --quiet             no progress lines on standard error (delivery errors are still shown)

    Slack notifications:
      --slack-dry-run     print the Slack messages that would be posted instead of the incident
                          list: one webhook body per line, compact JSON (JSON Lines; 'jq .' reads
                          it), in the order they would be sent. Not with --format.
      --slack URL         post them to a Slack incoming webhook, print the incident list as usual
                          (--format applies), then wait until every message is delivered or given
                          up: at most one post per second, 5xx, timeouts and network errors retried
                          with backoff, 429 after its Retry-After, each given up 2 minutes after
                          it was queued. Only https://hooks.slack.com/ URLs are accepted.
                          --slack @FILE reads the URL from FILE, keeping it out of the process
                          list and the shell history.
      --allow-webhook-host HOST
                          also accept HOST (http or https) for --slack in this run, e.g. a proxy
                          or a local receiver; repeatable

    Which messages: the notification policy of 'aiops serve' (group a rule's series for 30s,
    new series and resolutions at most every 5m, a 'still firing' reminder after 4h, resolved
    messages on), with each rule's 'notify' overrides, applied on the file's event time; what
    still waits when a file ends is sent then. Each file is scheduled on its own, and every
    message names the workspace 'replay'.
    Daily summaries:
      --daily-summary     also compose the workspace's daily summary at each --summary-at (default
                          09:00) of --time-zone (an IANA name, default UTC) in the file's event
                          time: the last 24 hours' incidents, what is still open, risks ahead, and
                          (--plan pro, the default) scaling and cost advice from the usage seen so
                          far (7 days at most). Printed after each file's incidents (--format json:
                          one object per summary), or with --slack-dry-run / --slack sent as Slack
                          messages in event-time order with the incident reports.
    The webhook URL is a secret and is never printed, not even in errors. A malformed URL or
    a host not allowed is a usage error (status 2); a message that could not be delivered
    makes the status 1, with the reason (e.g. 'no_service') on standard error.
    """

    static let serve = """
    Usage: aiops serve [--listen HOST:PORT] [--data DIR] [--config FILE] [--rules DIR] [--threads N] [--shards N]
                       [--body-memory BYTES] [--snapshot-interval DURATION] [--slack-min-interval DURATION]
                       [--log.format logfmt|json] [--log.level LEVEL]
                       [--external-url URL] [--federate-limit N]
                       [--warm-from URL [--warm-days N] [--warm-step DURATION] [--warm-rate Q]
                        [--warm-bearer-token-file FILE | --warm-basic-auth-file FILE] [--warm-ignore-label NAME]...]

    A Prometheus remote-write target (1.0 and 2.0): every sample is stored and scored as it
    arrives, incidents fire by the rules, and reports go to each workspace's Slack webhook
    (or standard output). Stops cleanly on SIGINT/SIGTERM: no new connections, requests in
    flight finish, pending notifications stay in the outbox for the next start, and every
    workspace's state (series, detectors, incidents, notification log) is snapshotted to
    DIR/<workspace>/state.snap, loaded again at the next start.

    SIGHUP (or POST /-/reload with the admin token) reloads the config file and the rules
    without a restart: plans, limits, tokens, webhooks and notification policy change in
    place, workspaces are added and removed, rules that did not change keep what they have
    learned, new or changed rules start fresh. A config or rule file with an error is refused
    with the same errors as at start, and the running configuration stays.

    Each workspace gets a daily summary at its 'dailySummary' time (default 09:00 UTC): the
    last 24 hours' incidents, what is open, risks ahead, and for Pro the scaling and cost
    advice also served at GET /api/v1/recommendations (usage summaries kept in
    DIR/<workspace>/usage.snap). GET /api/v1/summary shows it as it would be sent now.

    Options:
      --listen HOST:PORT  where to listen (default 127.0.0.1:9201; [::1]:9201 for IPv6);
                          --web.listen-address is the same option under Prometheus' name
      --data DIR          state: the embedded workspace's token, the notification outbox,
                          snapshots (default ./aiops-data)
      --config FILE       workspaces, plans, tokens, webhooks, limits (JSON; see README). Without
                          it, one workspace 'dev-workspace' (Hobby) with a token kept in DIR
                          (printed once, when it is created)
      --rules DIR         rule files (default ./rules, else the rules shipped beside the binary)
      --threads N         event loop threads (default: one per core)
      --shards N          locks each workspace's series are spread over (default 1)
      --body-memory BYTES bytes all request bodies together may hold in memory (suffix KiB, MiB,
                          GiB); a write that does not fit gets 503 with Retry-After (default: a
                          quarter of the cgroup's memory.max, else of physical memory)
      --snapshot-interval DURATION
                          how often every workspace's state is snapshotted, as well as at
                          shutdown (default 5m; 0 turns snapshots off: none loaded or written)
      --slack-min-interval DURATION
                          time between two posts to one Slack webhook (default 1s, Slack's limit);
                          N instances sharing a webhook (README, "Scale-out") set N seconds
      --log.format FORMAT logfmt (default) or json; every line on standard error has ts (RFC 3339,
                          UTC), level and component
      --log.level LEVEL   debug, info (default), warn or error: the lowest level written
      --external-url URL  the URL people reach aiops at (also --web.external-url, as Prometheus),
                          e.g. https://aiops.example.com: every report links its incident's page
                          (URL/incidents/ID), a rule without a runbook its entry on the rules
                          page (URL/rules#rule-NAME), and alerts sent to Alertmanager link their
                          incident (generatorURL); the web view prefixes its links with the URL's
                          path, and marks its cookie Secure when the URL is https. Without it
                          reports and alerts carry no such links.
      --federate-limit N  most series one GET /federate may answer (default 100000; beyond it
                          the request is refused with 422 and nothing is answered)

    Warm start (off unless --warm-from is given):
      --warm-from URL     a Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics, Thanos,
                          Mimir: the base URL, e.g. http://prometheus:9090). Each new series'
                          last days are read from it with /api/v1/query_range, in the background,
                          batched by metric name, and replayed through its detectors before its
                          live samples are scored (they wait in its ring meanwhile, at most 64
                          of them). Series loaded from a snapshot are not read again. A failure
                          leaves the series to warm up from its live samples; /metrics counts
                          aiops_warm_start_series_total{result="ok|empty|failed"}.
      --warm-days N       days of history to read (default 7: the weekly profile's span)
      --warm-step DURATION
                          step for a series whose second sample has not come within 2 minutes
                          (default 15s; otherwise a series is read at its own scrape step)
      --warm-rate Q       queries per second at most (default 5)
      --warm-bearer-token-file FILE
                          send 'Authorization: Bearer <the file's content>'
      --warm-basic-auth-file FILE
                          send basic auth from the file's 'user:password'
                          (credentials are never logged, and refused inside the URL)
      --warm-ignore-label NAME
                          a label the live series carry but the source does not, e.g. one of
                          Prometheus' external_labels; left out of queries (repeatable)

    Endpoints: POST /api/v1/write, GET /api/v1/incidents[/ID], GET /api/v1/forecast (Pro plan),
    GET /api/v1/recommendations (Pro plan), GET /api/v1/summary, GET /metrics, GET /-/healthy,
    GET /-/ready (503 until the snapshots are loaded), POST /-/reload, GET /healthz, GET /readyz,
    GET /federate?match[]=SELECTOR (scores as series), GET|POST /api/v1/silences,
    GET|DELETE /api/v1/silences/ID. Alertmanagers, silences and scores: see README.
    Web view (open the address in a browser, sign in with a workspace's token or the admin
    token): / (overview), /incidents/ID, /series?match[]=SELECTOR, /rules.
    """

    static let evaluate = """
    Usage: aiops evaluate DATA_DIR --windows WINDOWS.json [--rules DIR] [--profile NAME] [--format text|json] [--cross-validate]
           aiops evaluate SCENARIO_DIR [--rules DIR] [--format text|json] [--baseline FILE] [--write-baseline FILE]
           aiops evaluate --forecast DIR|FILE... [--rules DIR] [--hours N] [--by-hour] [--format text|json]

    With --windows: replays every CSV under DATA_DIR through the same pipeline as 'aiops serve'
    (each row judged from that row and the rows before it only). A detection is what a user is
    told: the row where an incident fires, with its score. Detections are scored the way the
    Numenta Anomaly Benchmark does: probation, labeled windows, scaled
    sigmoid, one threshold for the whole corpus per profile, normalised so the null detector
    scores 0 and the perfect one 100. Prints a per-file table and each profile's score, with
    precision and recall at its threshold.

    Without --windows, on a directory with a labels.json (a scenario corpus such as
    fixtures/scenarios): replays each case (its CSV with the series identity labels.json gives,
    so the rules that select that metric apply, plus any companion series such as a memory
    limit) and scores the incidents that fired. A case passes when each of its windows has an
    incident that starts inside it (of the case's rule, if it names one) and no incident starts
    outside every window. Prints per case pass/fail, incidents, true and false positives, missed
    windows and the detection delay (incident start and firing time minus window start); per
    noise family the false incidents per series per 30 days (counted from each series' day 2);
    and precision, recall and cases passed. Exit status 0 when it ran, failing cases included.

    With --forecast: a rolling-origin backtest of the forecasts ('aiops forecast') on every
    metric file under the DIRs (a scenario corpus' cases with the identities its labels.json
    gives). Each file is replayed; from the first sample at which a series has a forecast, and
    then every 6 hours, the next --hours (24) are forecast from the detector state as it is
    then, and every later sample within them is compared with the forecast and with the
    seasonal-naive forecast (the value a day before the target). Prints per series MASE (mean
    absolute error over the seasonal-naive forecast's, on the same targets) and the share of
    targets inside the 80% interval, then the medians and the coverage over all targets.

    Options:
      --windows FILE      labeled windows: file path relative to DATA_DIR -> [[start, end], ...]
      --rules DIR         rule files (default as for replay; bare CSVs get the 'auto' rule)
      --profile NAME      standard, reward_low_FP_rate or reward_low_FN_rate: whose table is printed
                          first (all three scores are always printed); NAB only
      --format text|json  text (default) or one JSON document
      --cross-validate    also score each category (first folder under DATA_DIR) at the threshold
                          chosen on the other categories, and the held-out scores together (text)
      --baseline FILE     scenario corpus: exit 1 if a case that passes in FILE fails now (or is
                          gone), naming each regression on standard error
      --write-baseline FILE
                          scenario corpus: write which cases pass now to FILE (after comparing
                          with --baseline, when both are given)
      --quiet             no progress lines on standard error
    """

    static let restore = """
    Usage: aiops restore --data DIR --workspace NAME [--list | --date YYYY-MM-DD]

    Pro workspaces keep the first snapshot of each UTC day in DIR/NAME/backups/ for 7 days.
    --list (or no --date) lists them; --date puts that day's backup back as DIR/NAME/state.snap
    (checked to decode whole first, written durably), so the next 'aiops serve --data DIR'
    resumes from it. Stop 'aiops serve' first: a running one would overwrite it with its next
    snapshot. Exit status: 0 done, 1 no such backup or it does not decode, 2 usage error.
    """

    static let forecast = """
    Usage: aiops forecast FILE... [--rules DIR] [--metric 'name{labels}'] [--match SELECTOR]...
                          [--hours N] [--step DURATION] [--format text|json|csv] [--quiet]

    Replays each file through the same pipeline as 'aiops replay', then prints, for every series
    whose seasonal state is warm at the file's end (two days of data under the 'auto' rule or a
    seasonal rule), the forecast of the next hours with an 80% interval, built from the
    detector's state: its level, daily (or weekly) profile, and the spread around them. A
    counter is forecast as its per-second rate, as its detector scores it. Series only EWMA or
    leak rules watch have no seasonal state and no forecast (listed on standard error).

    Options:
      --hours N           how far ahead, 1 to 48 (default 24)
      --step DURATION     time between points, e.g. 30m, 1h, or seconds; at least 1m (default 1h);
                          points fall on multiples of the step
      --match SELECTOR    only series the selector selects, e.g. 'http_requests_total{code="200"}';
                          repeatable (any of them)
      --format text|json|csv
                          text: a table per series (default); json: Prometheus query_range
                          shape ('data.result[].metric', 'values', plus 'lower' and 'upper');
                          csv: series,transform,timestamp,value,lower,upper
      --rules DIR         rule files (as for replay)
      --metric SERIES     identity of a single-series CSV (as for replay)
      --quiet             no note on standard error about series without a forecast
    """

    static let rules = """
    Usage: aiops rules check [DIR|FILE]

    Validates rule files (default: ./rules) and prints every error as 'file:line: rule "name": reason'.
    Exit status: 0 when all rules are valid, 1 otherwise.
    """
}
