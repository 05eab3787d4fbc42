# CrossVideoMAE.NET entry point (PowerShell mirror of ./run; same verbs).
#   ./run.ps1 setup      install what is missing (on Linux: ./run setup), build native/ and the solution
#   ./run.ps1 test       run every test; ends with "tests: N passed, N failed"
#   ./run.ps1 demo       sample dataset -> shards -> pre-training -> linear probe -> report
#   ./run.ps1 cli ARGS   the cvmae command line (./run.ps1 cli --help)
param([Parameter(Position = 0)][string]$Verb = 'help', [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Dll = Join-Path $Root 'src/Pipeline/bin/Release/net10.0/cvmae.dll'
$Native = Join-Path $Root 'native/build/libcvmae_torch.so'

# The same lists as ./run (Debian package names): what the program needs, then what only the tests use.
$AptRuntime = @('libtorch-dev', 'libgloo-dev', 'libopenblas0-openmp', 'ffmpeg', 'libturbojpeg0-dev', 'cmake', 'g++')
$AptTest = @('python3-torch', 'python3-pil', 'python3-numpy', 'chromium')

function Invoke-Setup {
    if ($IsLinux) { & bash (Join-Path $Root 'run') setup; if ($LASTEXITCODE) { exit $LASTEXITCODE }; return }
    # Elsewhere system packages are the user's to install: the equivalents of these Debian ones.
    Write-Host "install the equivalents of: $($AptRuntime -join ' ') (tests: $($AptTest -join ' '))"
    Push-Location $Root
    try { dotnet tool restore; if ($LASTEXITCODE) { exit $LASTEXITCODE } } finally { Pop-Location }
    dotnet build (Join-Path $Root 'CrossVideoMAE.sln') -c Release -nologo -v q -clp:ErrorsOnly
    if ($LASTEXITCODE) { exit $LASTEXITCODE }
}

function Confirm-Setup {
    if (-not (Test-Path $Dll) -or -not (Test-Path $Native)) { Invoke-Setup }
}

switch ($Verb) {
    'setup' { Invoke-Setup }
    'test' {
        if ($IsLinux) { & bash (Join-Path $Root 'run') test @Rest; exit $LASTEXITCODE }
        Confirm-Setup
        # dotnet test builds incrementally first, so the tests run the code as it is now.
        dotnet test (Join-Path $Root 'CrossVideoMAE.sln') -c Release -nologo @Rest 2>&1 | Tee-Object -Variable lines
        $code = $LASTEXITCODE
        $passed = 0; $failed = 0
        foreach ($l in $lines) { if ("$l" -match 'Failed:\s*(\d+), Passed:\s*(\d+)') { $failed += [int]$Matches[1]; $passed += [int]$Matches[2] } }
        "tests: $passed passed, $failed failed"
        exit $code
    }
    'demo' { Confirm-Setup; dotnet $Dll demo @Rest; exit $LASTEXITCODE }
    'cli' { Confirm-Setup; dotnet $Dll @Rest; exit $LASTEXITCODE }
    { $_ -in 'help', '-h', '--help' } { Get-Content $PSCommandPath -TotalCount 5 | Select-Object -Skip 1 | ForEach-Object { $_ -replace '^# ?', '' } }
    default { [Console]::Error.WriteLine("unknown verb '$Verb' (setup | test | demo | cli ...)"); exit 2 }
}
