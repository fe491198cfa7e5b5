; Ixempra dosing workstation: Windows installer (NSIS 3, built on Linux by packaging/build-windows.sh).
; Per-machine install under Program Files, Start-menu shortcut to ixempra-gui.exe (which starts
; python\pythonw.exe: no console window), uninstaller registered in Add/Remove Programs, silent
; install and uninstall with /S.
; Defines from the build script: VERSION, STAGE (the staged install), ICON, OUTFILE, COMPRESSOR,
; and SIGN_COMMAND when a code-signing certificate is configured.

Unicode true
Target amd64-unicode            ; a 32-bit installer installs nothing under a 64-bit-only Wine
SetCompressor /SOLID ${COMPRESSOR}
ManifestDPIAware true
RequestExecutionLevel admin

!include "x64.nsh"
!include "WinVer.nsh"
!include "FileFunc.nsh"

!define APP_NAME "Ixempra Dosing Workstation"
!define PUBLISHER "Ixempra dosing workstation contributors"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\IxempraDosingWorkstation"
!define SHORTCUT "$SMPROGRAMS\${APP_NAME}.lnk"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
Icon "${ICON}"
UninstallIcon "${ICON}"
BrandingText "${APP_NAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT (app); LGPLv3 (Qt, PySide6); PSF (Python)"

!ifdef SIGN_COMMAND
; Sign the installer and the uninstaller it carries (NSIS >= 3.08 runs these after writing each).
!finalize '${SIGN_COMMAND} "%1"'
!uninstfinalize '${SIGN_COMMAND} "%1"'
!endif

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Function .onInit
    ${IfNot} ${RunningX64}
        MessageBox MB_OK|MB_ICONSTOP "${APP_NAME} needs 64-bit Windows 10 (version 1809 or later) or 11." /SD IDOK
        Abort
    ${EndIf}
    ; Windows 10 1809 is build 17763 (Windows 11 reports 10.0 too, with builds from 22000).
    ${WinVerGetBuild} $0
    ${IfNot} ${AtLeastWin10}
    ${OrIf} $0 < 17763
        MessageBox MB_OK|MB_ICONSTOP "${APP_NAME} needs Windows 10 version 1809 (build 17763) or later." /SD IDOK
        Abort
    ${EndIf}
    SetRegView 64
    SetShellVarContext all
FunctionEnd

Function un.onInit
    SetRegView 64
    SetShellVarContext all
FunctionEnd

Section "Install"
    SetOutPath "$INSTDIR"
    File /r "${STAGE}\*.*"
    WriteUninstaller "$INSTDIR\uninstall.exe"

    ; Working folder = the install folder; pythonw.exe: no console window.
    SetOutPath "$INSTDIR"
    ; ixempra-gui.exe starts python\pythonw.exe -m ixempra_gui (packaging/windows/launcher).
    CreateShortcut "${SHORTCUT}" "$INSTDIR\ixempra-gui.exe" "" "$INSTDIR\ixempra-gui.exe" 0 SW_SHOWNORMAL "" "Ixabepilone (Ixempra) dosing workstation"

    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\ixempra-gui.exe,0"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
    ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
    WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section "Uninstall"
    Delete "${SHORTCUT}"
    ; Only what the installer put there: a folder the user chose may hold other files.
    RMDir /r "$INSTDIR\python"
    RMDir /r "$INSTDIR\site-packages"
    RMDir /r "$INSTDIR\licenses"
    Delete "$INSTDIR\ixempra-gui.exe"
    Delete "$INSTDIR\uninstall.exe"
    RMDir "$INSTDIR"
    DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
