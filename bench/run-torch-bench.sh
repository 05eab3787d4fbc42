#!/usr/bin/env bash
# Times the same training step through the C# binding and in PyTorch (/usr/bin/python3, the same
# libtorch), alternating rounds in one session. Extra arguments go to the bench, e.g.
#   bench/run-torch-bench.sh --workload mlp --rounds 4 --steps 200
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
dotnet build bench/TorchBench -c Release -nologo -v q -clp:ErrorsOnly >&2
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
exec dotnet bench/TorchBench/bin/Release/net10.0/CrossVideoMAE.TorchBench.dll "$@"
