Feature: A Job runs pods until enough of them succeed
  The Job controller keeps `parallelism` pods running, never more than the
  completions still missing. Each pod carries the batch.kubernetes.io/job-tracking
  finalizer: when it ends, the controller first writes its UID into
  status.uncountedTerminatedPods, then takes the finalizer off, then counts it.
  A failed pod is replaced after a back-off (10s, doubling with each failure);
  more failures than `backoffLimit` end the Job as Failed. An application
  nothing is said about does its work for a second in a Job's pod and exits 0.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  @conformance
  Scenario: A Job runs three completions, two pods at a time
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: pi
      spec:
        completions: 3
        parallelism: 2
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: pi
              image: perl:5.34
      """
    And 10s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.filter(e, e.reason == 'SuccessfulCreate' && e.object == 'job/default/pi').size() == 3
      && events.exists(e, e.reason == 'Completed' && e.message == 'Job completed')
      && events.first('Completed') > events.last('SuccessfulCreate')
      && jobs.size() == 1
      && jobs[0].status.succeeded == 3 && !has(jobs[0].status.failed)
      && jobs[0].status.conditions.map(c, c.type) == ['SuccessCriteriaMet', 'Complete']
      && jobs[0].status.conditions.all(c, c.reason == 'CompletionsReached' && c.message == 'Reached expected number of succeeded pods')
      && has(jobs[0].status.completionTime)
      && pods.size() == 3 && pods.all(p, p.status.phase == 'Succeeded' && !has(p.metadata.finalizers))
      && pods.all(p, p.metadata.labels['batch.kubernetes.io/job-name'] == 'pi' && p.metadata.labels['job-name'] == 'pi')
      """
    And the trace matches the golden file

  @conformance
  Scenario: An Indexed Job gives each pod its completion index
    Each pod is named and labelled for its index, gets the hostname
    "<job>-<index>" and the JOB_COMPLETION_INDEX variable; the Job lists the
    indexes done in status.completedIndexes.

    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: shard
      spec:
        completions: 3
        parallelism: 3
        completionMode: Indexed
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: work
              image: busybox:1.36
      """
    And 10s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      jobs[0].status.completedIndexes == '0-2' && jobs[0].status.succeeded == 3
      && jobs[0].status.conditions.map(c, c.type) == ['SuccessCriteriaMet', 'Complete']
      && pods.map(p, p.metadata.labels['batch.kubernetes.io/job-completion-index']) == ['0', '1', '2']
      && pods.all(p, p.metadata.name.startsWith('shard-' + p.metadata.annotations['batch.kubernetes.io/job-completion-index'] + '-')
        && p.spec.hostname == 'shard-' + p.metadata.labels['batch.kubernetes.io/job-completion-index']
        && p.spec.containers[0].env.exists(e, e.name == 'JOB_COMPLETION_INDEX'
          && e.valueFrom.fieldRef.fieldPath == "metadata.labels['batch.kubernetes.io/job-completion-index']"))
      """

  @conformance
  Scenario: A finished Job with ttlSecondsAfterFinished is deleted with its pods
    The TTL-after-finished controller deletes the Job that long after its
    Complete condition, in the foreground: its pods go first.

    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: once
      spec:
        ttlSecondsAfterFinished: 3
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: work
              image: busybox:1.36
      """
    And 15s pass
    Then every request was accepted
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'Completed' && e.object == 'job/default/once')
      && jobs.size() == 0 && pods.size() == 0
      """
    And the trace matches the golden file

  Scenario: Pods that keep failing are replaced after a doubling back-off, until the back-off limit ends the Job
    Given the application in image "batch:1" exits with code 1 after 2s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: flaky
      spec:
        backoffLimit: 2
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: work
              image: batch:1
      """
    And 2m pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.reason == 'SuccessfulCreate').size() == 3
      && events.exists(e, e.reason == 'BackoffLimitExceeded' && e.type == 'Warning' && e.message == 'Job has reached the specified backoff limit')
      && jobs[0].status.failed == 3
      && jobs[0].status.conditions.map(c, c.type) == ['FailureTarget', 'Failed']
      && pods.all(p, p.status.phase == 'Failed')
      """
    And the trace matches the golden file

  # With backoffLimitPerIndex an Indexed Job counts failures per index:
  # each replacement pod carries its index's count so far in the
  # batch.kubernetes.io/job-index-failure-count annotation, and waits out
  # its index's own back-off. An index whose pod fails with the count at the
  # limit is failed for good; once every index has succeeded or failed,
  # the Job fails with the failed ones listed.
  Scenario: With backoffLimitPerIndex each index has its own back-off limit
    Given the application in image "batch:1" exits with code 1 after 2s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: shards
      spec:
        completions: 2
        parallelism: 2
        completionMode: Indexed
        backoffLimitPerIndex: 1
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: work
              image: batch:1
      """
    And 2m pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.reason == 'SuccessfulCreate').size() == 4
      && pods.filter(p, p.metadata.annotations['batch.kubernetes.io/job-index-failure-count'] == '1').size() == 2
      && events.exists(e, e.reason == 'FailedIndexes' && e.type == 'Warning' && e.message == 'Job has failed indexes')
      && jobs[0].status.failedIndexes == '0,1'
      && jobs[0].status.failed == 4
      && jobs[0].status.conditions.map(c, c.type) == ['FailureTarget', 'Failed']
      """
    And the trace matches the golden file

  Scenario: With restartPolicy OnFailure the kubelet restarts the container, and its restarts count against the back-off limit
    Given the application in image "batch:1" exits with code 1 after 2s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: retry
      spec:
        backoffLimit: 2
        template:
          spec:
            restartPolicy: OnFailure
            containers:
            - name: work
              image: batch:1
      """
    And 2m pass
    Then the trace satisfies:
      """cel
      events.filter(e, e.reason == 'SuccessfulCreate').size() == 1
      && events.exists(e, e.reason == 'SuccessfulDelete')
      && events.exists(e, e.reason == 'BackoffLimitExceeded')
      && jobs[0].status.conditions.map(c, c.type) == ['FailureTarget', 'Failed']
      """

  Scenario: A Job that runs past activeDeadlineSeconds is stopped
    Given the application in image "worker:1" runs until it is stopped
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: slow
      spec:
        activeDeadlineSeconds: 20
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: work
              image: worker:1
      """
    And 1m passes
    Then the trace satisfies:
      """cel
      events.exists(e, e.reason == 'DeadlineExceeded' && e.message == 'Job was active longer than specified deadline')
      && jobs[0].status.conditions.map(c, c.type) == ['FailureTarget', 'Failed']
      && jobs[0].status.conditions.all(c, c.reason == 'DeadlineExceeded')
      """

  @conformance
  Scenario: A suspended Job starts no pod until it is resumed
    While spec.suspend is true the Job has no pods and no startTime, and
    its Suspended condition says so; setting it to false resumes the Job,
    which then runs as any other.

    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: report
      spec:
        suspend: true
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: report
              image: busybox:1.36
      """
    And 5s pass
    Then the trace satisfies:
      """cel
      pods.size() == 0 && !has(jobs[0].status.startTime)
      && jobs[0].status.conditions.exists(c, c.type == 'Suspended' && c.status == 'True'
        && c.reason == 'JobSuspended' && c.message == 'Job suspended')
      && events.exists(e, e.object == 'job/default/report' && e.reason == 'Suspended' && e.message == 'Job suspended')
      """
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: report
      spec:
        suspend: false
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: report
              image: busybox:1.36
      """
    And 10s pass
    Then the trace satisfies:
      """cel
      events.exists(e, e.object == 'job/default/report' && e.reason == 'Resumed' && e.message == 'Job resumed')
      && jobs[0].status.conditions.exists(c, c.type == 'Suspended' && c.status == 'False'
        && c.reason == 'JobResumed' && c.message == 'Job resumed')
      && jobs[0].status.conditions.exists(c, c.type == 'Complete' && c.status == 'True')
      && jobs[0].status.succeeded == 1
      """
    And the trace matches the golden file

  Scenario: A podFailurePolicy fails the Job at the first exit code it names
    Exit code 42 means the input is bad and no retry will help: the
    FailJob rule fails the Job at once, without the back-off, and the
    message names the container, the pod and the rule.

    Given the application in image "batch:1" exits with code 42 after 2s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: import
      spec:
        backoffLimit: 6
        podFailurePolicy:
          rules:
          - action: FailJob
            onExitCodes:
              containerName: main
              operator: In
              values: [42]
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: main
              image: batch:1
      """
    And 10s pass
    Then the trace satisfies:
      """cel
      jobs[0].status.conditions.exists(c, c.type == 'Failed' && c.reason == 'PodFailurePolicy'
        && c.message.matches('^Container main for pod default/import-[a-z0-9]{5} failed with exit code 42 matching FailJob rule at index 0$'))
      && events.exists(e, e.object == 'job/default/import' && e.type == 'Warning' && e.reason == 'PodFailurePolicy')
      && jobs[0].status.failed == 1
      && events.filter(e, e.object == 'job/default/import' && e.reason == 'SuccessfulCreate').size() == 1
      """
    And the trace matches the golden file

  Scenario: A failure the podFailurePolicy ignores is not counted against the back-off limit
    With backoffLimit 0 one counted failure would end the Job; exit code 3
    is ignored, so each failed pod is replaced (after the pod failure
    back-off, which ignored failures still lengthen) and status.failed
    stays unset.

    Given the application in image "batch:1" exits with code 3 after 2s
    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: import
      spec:
        backoffLimit: 0
        podFailurePolicy:
          rules:
          - action: Ignore
            onExitCodes:
              operator: In
              values: [3]
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: main
              image: batch:1
      """
    And 30s pass
    Then the trace satisfies:
      """cel
      !has(jobs[0].status.conditions) && !has(jobs[0].status.failed)
      && events.filter(e, e.object == 'job/default/import' && e.reason == 'SuccessfulCreate').size() == 2
      && pods.filter(p, p.status.phase == 'Failed').size() == 2
      """
    And the trace matches the golden file

  @conformance
  Scenario: An Indexed Job with a successPolicy is done when the indexes it names are
    With one pod at a time, index 0 runs first; the rule needs only index
    0, so the Job is complete without running 1 and 2.

    When "admin" applies:
      """yaml
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: leader
      spec:
        completions: 3
        parallelism: 1
        completionMode: Indexed
        successPolicy:
          rules:
          - succeededIndexes: "0"
        template:
          spec:
            restartPolicy: Never
            containers:
            - name: main
              image: busybox:1.36
      """
    And 10s pass
    Then the trace satisfies:
      """cel
      jobs[0].status.conditions.filter(c, c.status == 'True').map(c, [c.type, c.reason, c.message]) ==
        [['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0'], ['Complete', 'SuccessPolicy', 'Matched rules at index 0']]
      && jobs[0].status.completedIndexes == '0' && jobs[0].status.succeeded == 1
      && events.filter(e, e.object == 'job/default/leader' && e.reason == 'SuccessfulCreate').size() == 1
      """
    And the trace matches the golden file
