package simulator

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// DefaultImage is the container image the Kubernetes job runs.
const DefaultImage = "ghcr.io/abrkit/abrkit:latest"

// Defaults of a K8sSpec.
const (
	DefaultResultsSize = "5Gi"
	// ScenarioConfigMap holds the scenario file: kubectl create configmap
	// abrkit-scenario --from-file=SCENARIO.
	ScenarioConfigMap = "abrkit-scenario"
)

// K8sSpec describes the Kubernetes objects that run a scenario in shards.
type K8sSpec struct {
	Scenario string   // path of the scenario file; its base name is looked up in the ConfigMap
	Name     string   // object name; defaults to abrkit-SCENARIO
	Shards   int      // pods, one shard each
	Image    string   // defaults to DefaultImage
	Args     []string // more simulate flags, passed to every shard unchanged
	// Results is the PersistentVolumeClaim every shard writes
	// /results/shard-k into; defaults to NAME-results. Size and
	// StorageClass apply to the claim K8sJob creates.
	Results      string
	Size         string // defaults to DefaultResultsSize
	StorageClass string // empty: the cluster's default class
}

func (k *K8sSpec) defaults() error {
	if k.Shards < 1 {
		return fmt.Errorf("%w: %d shards", ErrBadShard, k.Shards)
	}
	if k.Image == "" {
		k.Image = DefaultImage
	}
	if k.Name == "" {
		k.Name = "abrkit-" + strings.TrimSuffix(filepath.Base(k.Scenario), filepath.Ext(k.Scenario))
	}
	k.Name = dnsLabel(k.Name)
	if k.Results == "" {
		k.Results = k.Name + "-results"
	}
	k.Results = dnsLabel(k.Results)
	if k.Size == "" {
		k.Size = DefaultResultsSize
	}
	return nil
}

// K8sJob returns two Kubernetes objects as one YAML stream: a
// PersistentVolumeClaim (ReadWriteMany) for the results and an Indexed
// Job (batch/v1) that runs the scenario in k.Shards pods, pod i running
// `simulate --shard i/N` with every flag of k.Args and writing to
// /results/shard-i on the claim, where [K8sMergeJob] reads them.
func K8sJob(k K8sSpec) ([]byte, error) {
	if err := k.defaults(); err != nil {
		return nil, err
	}
	claim := map[string]any{
		"accessModes": []string{"ReadWriteMany"},
		"resources":   map[string]any{"requests": map[string]string{"storage": k.Size}},
	}
	if k.StorageClass != "" {
		claim["storageClassName"] = k.StorageClass
	}
	pvc := map[string]any{
		"apiVersion": "v1",
		"kind":       "PersistentVolumeClaim",
		"metadata":   map[string]any{"name": k.Results, "labels": labels(k.Name)},
		"spec":       claim,
	}
	args := append([]string{"simulate", "/scenario/" + filepath.Base(k.Scenario),
		"--shard", fmt.Sprintf("$(SHARD_INDEX)/%d", k.Shards),
		"--out", "/results/shard-$(SHARD_INDEX)", "--format", "json", "--quiet"}, k.Args...)
	c := container("simulate", k, args)
	c["env"] = []any{map[string]any{
		"name": "SHARD_INDEX",
		"valueFrom": map[string]any{"fieldRef": map[string]any{
			"fieldPath": "metadata.annotations['batch.kubernetes.io/job-completion-index']"}},
	}}
	c["resources"] = map[string]any{
		"requests": map[string]string{"cpu": "2", "memory": "2Gi"},
		"limits":   map[string]string{"memory": "4Gi"},
	}
	job := jobOf(k, k.Name, c, map[string]any{"completionMode": "Indexed", "completions": k.Shards, "parallelism": k.Shards})
	return yamlStream(pvc, job)
}

// K8sMergeJob returns a Job that merges the shards K8sJob wrote (abrkit
// report merge) into /results/merged on the same claim and prints the
// merged summary in its log; run it once the shard Job has completed.
func K8sMergeJob(k K8sSpec) ([]byte, error) {
	if err := k.defaults(); err != nil {
		return nil, err
	}
	args := []string{"report", "merge"}
	for i := 0; i < k.Shards; i++ {
		args = append(args, fmt.Sprintf("/results/shard-%d", i))
	}
	args = append(args, "--out", "/results/merged")
	job := jobOf(k, k.Name+"-merge", container("merge", k, args), map[string]any{})
	return yamlStream(job)
}

func labels(name string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "abrkit", "abrkit/scenario": name}
}

func container(name string, k K8sSpec, args []string) map[string]any {
	return map[string]any{
		"name":  name,
		"image": k.Image,
		"args":  args,
		"volumeMounts": []any{
			map[string]any{"name": "scenario", "mountPath": "/scenario", "readOnly": true},
			map[string]any{"name": "results", "mountPath": "/results"},
		},
	}
}

// jobOf is a batch/v1 Job running container c once per completion, with
// the scenario ConfigMap and the results claim mounted.
func jobOf(k K8sSpec, name string, c map[string]any, spec map[string]any) map[string]any {
	spec["backoffLimit"] = 0
	spec["template"] = map[string]any{
		"metadata": map[string]any{"labels": labels(k.Name)},
		"spec": map[string]any{
			"restartPolicy": "Never",
			"containers":    []any{c},
			"volumes": []any{
				map[string]any{"name": "scenario", "configMap": map[string]any{"name": ScenarioConfigMap}},
				map[string]any{"name": "results", "persistentVolumeClaim": map[string]any{"claimName": k.Results}},
			},
		},
	}
	return map[string]any{
		"apiVersion": "batch/v1",
		"kind":       "Job",
		"metadata":   map[string]any{"name": dnsLabel(name), "labels": labels(k.Name)},
		"spec":       spec,
	}
}

// yamlStream writes objects as one YAML stream, "---" between them.
func yamlStream(objs ...any) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := yaml.Marshal(o)
		if err != nil {
			return nil, err
		}
		b.Write(y)
	}
	return b.Bytes(), nil
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
