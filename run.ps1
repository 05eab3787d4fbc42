# CrossVideoMAE.NET entry point (PowerShell mirror of ./run; same verbs).
#   ./run.ps1 setup | test | demo | cli ARGS
param([Parameter(Position = 0)][string]$Verb = 'help', [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Dll = Join-Path $Root 'src/Pipeline/bin/Release/net10.0/cvmae.dll'
$Native = Join-Path $Root 'native/build/libcvmae_torch.so'

function Invoke-Setup {
    if ($IsLinux) { & bash (Join-Path $Root 'run') setup; if ($LASTEXITCODE) { exit $LASTEXITCODE }; return }
    # Elsewhere: system packages are the user's to install (libtorch, ffmpeg, libjpeg-turbo, node).
    Push-Location (Join-Path $Root 'tools/duckdb'); npm install --no-audit --no-fund --no-package-lock; Pop-Location
    dotnet build (Join-Path $Root 'CrossVideoMAE.sln') -c Release -nologo -v q
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
        $out = dotnet test (Join-Path $Root 'CrossVideoMAE.sln') -c Release -nologo @Rest 2>&1 | Tee-Object -Variable lines
        $code = $LASTEXITCODE
        $passed = 0; $failed = 0
        foreach ($l in $lines) { if ("$l" -match 'Failed:\s*(\d+), Passed:\s*(\d+)') { $failed += [int]$Matches[1]; $passed += [int]$Matches[2] } }
        "tests: $passed passed, $failed failed"
        exit $code
    }
    'demo' { Confirm-Setup; dotnet $Dll demo @Rest; exit $LASTEXITCODE }
    'cli' { Confirm-Setup; dotnet $Dll @Rest; exit $LASTEXITCODE }
    default { Get-Content $PSCommandPath -TotalCount 2 | Select-Object -Skip 1 }
}
