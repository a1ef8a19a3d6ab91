package apiserver

import corev1 "k8s.io/api/core/v1"

// DefaultSchedulerName is the scheduler a pod gets when it names none
// (SetDefaults_PodSpec).
const DefaultSchedulerName = corev1.DefaultSchedulerName
