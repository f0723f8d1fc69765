"""Design-space sweeps (L6): every model x target x clock x kernels combination, estimated
or emulated, with energy at a rate, battery life, memory fit and the Pareto front; run in a
local process pool or as Ray tasks."""
