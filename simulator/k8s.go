package simulator

import (
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultImage is the container image the Kubernetes job runs.
const DefaultImage = "ghcr.io/abrkit/abrkit:latest"

// K8sJob returns a Kubernetes Indexed Job (batch/v1) that runs the
// scenario in `shards` pods, pod k running `--shard k/shards` and writing
// to /results/shard-k. The scenario is read from a ConfigMap named
// "abrkit-scenario" (create it with kubectl create configmap
// abrkit-scenario --from-file=SCENARIO); results go to a volume named
// "results" (an emptyDir here: replace it with a persistent volume claim
// to collect the shards, then run abrkit report merge /results/shard-*).
func K8sJob(scenarioPath, name string, shards int, image string, extra []string) ([]byte, error) {
	if shards < 1 {
		return nil, fmt.Errorf("%w: %d shards", ErrBadShard, shards)
	}
	if image == "" {
		image = DefaultImage
	}
	if name == "" {
		name = "abrkit-" + strings.TrimSuffix(filepath.Base(scenarioPath), filepath.Ext(scenarioPath))
	}
	name = dnsLabel(name)
	file := filepath.Base(scenarioPath)
	args := append([]string{"simulate", "/scenario/" + file,
		"--shard", fmt.Sprintf("$(SHARD_INDEX)/%d", shards),
		"--out", "/results/shard-$(SHARD_INDEX)", "--format", "json"}, extra...)
	job := map[string]any{
		"apiVersion": "batch/v1",
		"kind":       "Job",
		"metadata":   map[string]any{"name": name, "labels": map[string]string{"app.kubernetes.io/name": "abrkit", "abrkit/scenario": name}},
		"spec": map[string]any{
			"completionMode": "Indexed",
			"completions":    shards,
			"parallelism":    shards,
			"backoffLimit":   0,
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]string{"app.kubernetes.io/name": "abrkit"}},
				"spec": map[string]any{
					"restartPolicy": "Never",
					"containers": []any{map[string]any{
						"name":  "simulate",
						"image": image,
						"args":  args,
						"env": []any{map[string]any{
							"name": "SHARD_INDEX",
							"valueFrom": map[string]any{"fieldRef": map[string]any{
								"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}},
						}},
						"resources": map[string]any{
							"requests": map[string]string{"cpu": "2", "memory": "2Gi"},
							"limits":   map[string]string{"memory": "4Gi"},
						},
						"volumeMounts": []any{
							map[string]any{"name": "scenario", "mountPath": "/scenario", "readOnly": true},
							map[string]any{"name": "results", "mountPath": "/results"},
						},
					}},
					"volumes": []any{
						map[string]any{"name": "scenario", "configMap": map[string]any{"name": "abrkit-scenario"}},
						map[string]any{"name": "results", "emptyDir": map[string]any{}},
					},
				},
			},
		},
	}
	return yaml.Marshal(job)
}

// dnsLabel makes s a valid Kubernetes object name.
func dnsLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 52 {
		out = strings.Trim(out[:52], "-")
	}
	if out == "" {
		out = "abrkit"
	}
	return out
}
