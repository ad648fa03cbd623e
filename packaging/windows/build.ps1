<#
.SYNOPSIS
Builds the Windows installer: the PyInstaller bundle (dist\hearth\), then Inno Setup
(dist\Hearth-<version>-windows-x64-setup.exe).

.DESCRIPTION
UNTESTED: written on Linux, where neither PowerShell on Windows nor iscc could run.

Run from anywhere. PyInstaller comes from the repository's .venv-package (what `make package` sets up), else .venv,
else PATH:
    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
Needs Inno Setup 6.3 or newer (winget install JRSoftware.InnoSetup).

.PARAMETER Version
The version to stamp on the installer. Default: $env:HEARTH_VERSION, else __version__ in desktop\hearth\__init__.py.
(Not `hearth.exe --version`: a windowed build has no console to print to.)

.PARAMETER SkipBuild
Package the existing dist\hearth\ instead of running PyInstaller first.

.PARAMETER Iscc
Path to ISCC.exe. Default: iscc on PATH, then the usual Inno Setup 6 install folders.
#>
param(
    [string]$Version = $env:HEARTH_VERSION,
    [switch]$SkipBuild,
    [string]$Iscc
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = (Resolve-Path (Join-Path $PSScriptRoot '..\..')).Path
Push-Location $root
try {
    if (-not $SkipBuild) {
        # The packaging environment `make package` creates, else the development one, else PATH.
        $pyinstaller = @('.venv-package', '.venv') |
            ForEach-Object { Join-Path $root "$_\Scripts\pyinstaller.exe" } |
            Where-Object { Test-Path $_ } | Select-Object -First 1
        if (-not $pyinstaller) { $pyinstaller = 'pyinstaller' }
        Write-Host "build.ps1: building the bundle with $pyinstaller"
        & $pyinstaller packaging\hearth.spec --noconfirm
        if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed (exit code $LASTEXITCODE)" }
    }
    if (-not (Test-Path 'dist\hearth\hearth.exe')) {
        throw 'No bundle at dist\hearth\hearth.exe; run without -SkipBuild to build it.'
    }
    # The bundle checks itself before it is wrapped (hearth.exe has no console; hearth-cli.exe prints).
    & 'dist\hearth\hearth-cli.exe' --self-test
    if ($LASTEXITCODE -ne 0) { throw "the bundle's self-test failed (exit code $LASTEXITCODE)" }

    if (-not $Version) {
        $init = Get-Content -Raw 'desktop\hearth\__init__.py'
        if ($init -notmatch '__version__\s*=\s*"([^"]+)"') { throw 'Cannot find __version__ in desktop\hearth\__init__.py' }
        $Version = $Matches[1]
    }

    if (-not $Iscc) {
        $candidates = @(
            (Get-Command iscc -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty Source),
            (Join-Path $env:LOCALAPPDATA 'Programs\Inno Setup 6\ISCC.exe'),
            (Join-Path ${env:ProgramFiles(x86)} 'Inno Setup 6\ISCC.exe'),
            (Join-Path $env:ProgramFiles 'Inno Setup 6\ISCC.exe')
        )
        $Iscc = $candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
        if (-not $Iscc) {
            throw 'Inno Setup 6 (ISCC.exe) not found. Install it (winget install JRSoftware.InnoSetup) or pass -Iscc.'
        }
    }

    Write-Host "build.ps1: making the installer for Hearth $Version with $Iscc"
    & $Iscc "/DAppVersion=$Version" 'packaging\windows\hearth.iss'
    if ($LASTEXITCODE -ne 0) { throw "iscc failed (exit code $LASTEXITCODE)" }
    Write-Host "build.ps1: wrote dist\Hearth-$Version-windows-x64-setup.exe"
}
finally {
    Pop-Location
}
