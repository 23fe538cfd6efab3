package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/abrkit/abrkit/abr"
	"github.com/abrkit/abrkit/simulator/journey"
	"github.com/abrkit/abrkit/simulator/scenario"
)

func newScenarioCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "scenario",
		Short: "Validate scenario files",
	}
	c.AddCommand(newScenarioValidateCmd())
	return c
}

// scenarioReport is the JSON form of one validated file.
type scenarioReport struct {
	File     string            `json:"file"`
	Valid    bool              `json:"valid"`
	Errors   []*scenario.Error `json:"errors,omitempty"`
	Name     string            `json:"name,omitempty"`
	Viewers  int               `json:"viewers,omitempty"`
	Arrival  string            `json:"arrival,omitempty"`
	Mode     string            `json:"mode,omitempty"`
	SLOs     []string          `json:"slos,omitempty"`
	Faults   int               `json:"faults"`
	Networks []string          `json:"networks,omitempty"`
}

func newScenarioValidateCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files strictly; errors name file, line and field",
		Example: `  abrkit scenario validate scenarios/quickstart.yaml
  abrkit scenario validate scenarios/*.yaml --format json`,
		Args: cobra.MinimumNArgs(1),
	}
	format := formatFlag(c)
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(*format); err != nil {
			return err
		}
		var reports []scenarioReport
		bad := 0
		for _, f := range args {
			r := scenarioReport{File: f}
			s, err := scenario.Load(f, scenarioOptions()...)
			if err != nil {
				bad++
				var es scenario.Errors
				if errors.As(err, &es) {
					r.Errors = es
				} else {
					r.Errors = []*scenario.Error{{File: f, Msg: err.Error()}}
				}
			} else {
				r.Valid = true
				r.Name, r.Viewers, r.Arrival, r.Mode, r.Faults = s.Name, s.Viewers.Count, s.Viewers.Arrival.Process, s.Mode, len(s.Faults)
				for _, o := range s.SLOs {
					r.SLOs = append(r.SLOs, o.Objective.Expr)
				}
				for _, n := range s.Networks {
					r.Networks = append(r.Networks, n.Name)
				}
			}
			reports = append(reports, r)
		}
		out := cmd.OutOrStdout()
		if *format == "json" {
			if err := writeJSON(out, reports); err != nil {
				return err
			}
		} else {
			for _, r := range reports {
				if r.Valid {
					fmt.Fprintf(out, "%s: ok (%s: %d viewers, %s arrivals, %d SLOs, %d faults)\n", r.File, r.Name, r.Viewers, r.Arrival, len(r.SLOs), r.Faults)
					continue
				}
				for _, e := range r.Errors {
					fmt.Fprintln(out, e.Error())
				}
			}
		}
		if bad > 0 {
			return badInput(fmt.Errorf("%d of %d scenario files invalid", bad, len(args)))
		}
		return nil
	}
	return c
}

// scenarioOptions are the load options the CLI uses everywhere.
func scenarioOptions() []scenario.Option {
	return []scenario.Option{scenario.WithABRCheck(func(name string) error {
		_, err := abr.New(name)
		return err
	}), scenario.WithJourneyCheck(journey.Check)}
}
