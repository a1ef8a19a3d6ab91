Feature: A CronJob creates a Job at each time its schedule names
  The CronJob controller looks at each CronJob when its schedule comes due
  (100ms after, on the cluster's clock): it creates a Job named
  "<cronjob>-<minutes since 1970>" from the template, unless
  concurrencyPolicy Forbid finds one still running (Replace deletes it
  first); it notices the Jobs that finish and keeps only the newest
  successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1) of them.
  The model's clock starts at 2026-01-01T00:00:00Z.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: Every minute a Job, and only the newest finished one is kept
    On a real cluster the first minute comes at any second of the wait, so
    the assertions hold for two or three runs.

    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: tick
      spec:
        schedule: "* * * * *"
        successfulJobsHistoryLimit: 1
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                - name: work
                  image: busybox:1.36
      """
    And 2m30s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.filter(e, e.object == 'cronjob/default/tick' && e.reason == 'SuccessfulCreate').size() >= 2
      && events.filter(e, e.object == 'cronjob/default/tick' && e.reason == 'SuccessfulCreate')
           .all(e, e.message.matches('^Created job tick-[0-9]+$'))
      && events.exists(e, e.reason == 'SawCompletedJob' && e.message.matches('^Saw completed job: tick-[0-9]+, condition: Complete$'))
      && events.exists(e, e.object == 'cronjob/default/tick' && e.reason == 'SuccessfulDelete' && e.message.matches('^Deleted job tick-[0-9]+$'))
      && jobs.filter(j, has(j.status.completionTime)).size() == 1
      && jobs.all(j, j.metadata.name == 'tick-' + string(int(timestamp(string(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']))) / 60))
      """

  Scenario: The first Job comes at the first time the schedule names
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: nightly
      spec:
        schedule: "@hourly"
        timeZone: Europe/Paris
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                - name: work
                  image: busybox:1.36
      """
    And 1h1m pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'SuccessfulCreate' && e.message == 'Created job nightly-29453820')
      && jobs[0].metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'] == '2026-01-01T02:00:00+01:00'
      && events.first('SuccessfulCreate') > 0
      """
    And the trace matches the golden file

  Scenario: Forbid skips a time while the last Job still runs; Replace deletes it
    Given the application in image "report:1" exits with code 0 after 90s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: forbid
      spec:
        schedule: "* * * * *"
        concurrencyPolicy: Forbid
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                - name: work
                  image: report:1
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        name: replace
      spec:
        schedule: "* * * * *"
        concurrencyPolicy: Replace
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                - name: work
                  image: report:1
      """
    And 2m30s pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.object == 'cronjob/default/forbid' && e.reason == 'SuccessfulCreate').size() == 1
      && events.exists(e, e.object == 'cronjob/default/forbid' && e.reason == 'JobAlreadyActive'
           && e.message == 'Not starting job because prior execution is running and concurrency policy is Forbid')
      && events.filter(e, e.object == 'cronjob/default/replace' && e.reason == 'SuccessfulCreate').size() == 2
      && events.exists(e, e.object == 'cronjob/default/replace' && e.reason == 'SuccessfulDelete')
      """
