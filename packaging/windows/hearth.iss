; Hearth installer for Windows, for Inno Setup 6.3 or newer.
;
; UNTESTED: written and reviewed on Linux, where iscc cannot run; the first Windows build is its first run.
;
; Build the PyInstaller bundle first (dist\hearth\hearth.exe), then, from any folder:
;   iscc /DAppVersion=0.1.0 packaging\windows\hearth.iss
; packaging\windows\build.ps1 does both. Output: dist\Hearth-<version>-windows-x64-setup.exe
;
; Per-user install, no administrator rights: %LOCALAPPDATA%\Programs\Hearth ({userpf}), a Start-menu entry, an
; optional desktop icon and an uninstaller in "Installed apps". Chats, models and settings live in the user's data
; folder (%LOCALAPPDATA%\Hearth), which neither an update nor the uninstaller touches.

#ifndef AppVersion
  #error Pass the version on the command line: iscc /DAppVersion=0.1.0 hearth.iss
#endif

#define AppName "Hearth"
#define AppExeName "hearth.exe"
; Paths below are relative to the repository root, whatever folder iscc runs in.
#define RepoRoot AddBackslash(SourcePath) + "..\.."

[Setup]
; AppId identifies Hearth to Windows across versions: never change it, or updates install side by side.
AppId={{22379B9A-5B60-4F4C-8C3F-A5B3DECDCBDA}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=The Hearth contributors
PrivilegesRequired=lowest
DefaultDirName={userpf}\{#AppName}
DisableProgramGroupPage=yes
DefaultGroupName={#AppName}
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExeName}
SetupIconFile={#RepoRoot}\packaging\icons\hearth.ico
OutputDir={#RepoRoot}\dist
OutputBaseFilename=Hearth-{#AppVersion}-windows-x64-setup
; The bundle holds 64-bit binaries only; Qt 6 needs Windows 10 or newer.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Ask a running Hearth to close (Restart Manager) before replacing its files.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An update replaces the whole bundle, so libraries dropped by the new version do not linger next to it.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#RepoRoot}\dist\hearth\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#RepoRoot}\LICENSE"; DestDir: "{app}"; DestName: "LICENSE.txt"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
