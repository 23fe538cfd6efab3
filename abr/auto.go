package abr

// Auto is abrkit's default algorithm (see the package documentation).
type Auto struct {
	mpc *MPC
}

var _ Algorithm = (*Auto)(nil)

// NewAuto returns the default algorithm.
func NewAuto() *Auto { return &Auto{mpc: NewMPC()} }

// Name returns "auto".
func (*Auto) Name() string { return "auto" }

// Choose picks the next level.
func (a *Auto) Choose(s *State) int { return a.mpc.Choose(s) }
