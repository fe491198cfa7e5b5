/*
 * ixempra-gui.exe: the Start-menu shortcut's target. Starts the app with the bundled Python's
 * pythonw.exe (no console window) from the install folder, passes its own arguments on, waits,
 * and returns the app's exit status. It exists so that the thing a user (or AppLocker) sees
 * is an executable with the app's name, icon and version, Authenticode-signed with the
 * clinic's certificate like setup.exe (packaging/sign.sh); pythonw.exe keeps the PSF's
 * signature. Built from this source by packaging/build-windows.sh with mingw-w64.
 */
#include <windows.h>
#include <wchar.h>

#define LONG_PATH 32768
#ifndef APP_MODULE
#define APP_MODULE L"ixempra_gui" /* build-windows.sh --hello builds it for its hello app */
#endif

static void fail(const wchar_t *what)
{
    wchar_t text[1024];
    _snwprintf(text, 1024, L"Ixempra Dosing Workstation could not start:\n%ls (error %lu).\n\n"
               L"Reinstall the application, or ask IT to run its self-test:\n"
               L"python\\python.exe -m ixempra_gui --self-test", what, GetLastError());
    text[1023] = 0;
    MessageBoxW(NULL, text, L"Ixempra Dosing Workstation", MB_OK | MB_ICONERROR);
}

int WINAPI wWinMain(HINSTANCE instance, HINSTANCE previous, PWSTR arguments, int show)
{
    static wchar_t folder[LONG_PATH], python[LONG_PATH], command[LONG_PATH];
    DWORD length = GetModuleFileNameW(NULL, folder, LONG_PATH);
    if (length == 0 || length >= LONG_PATH) { fail(L"its own path is unknown"); return 1; }
    wchar_t *slash = wcsrchr(folder, L'\\');
    if (slash == NULL) { fail(L"its own path is unknown"); return 1; }
    *slash = 0;
    _snwprintf(python, LONG_PATH, L"%ls\\python\\pythonw.exe", folder);
    _snwprintf(command, LONG_PATH, L"\"%ls\" -m " APP_MODULE L" %ls", python, arguments ? arguments : L"");
    python[LONG_PATH - 1] = command[LONG_PATH - 1] = 0;

    STARTUPINFOW startup = {sizeof startup};
    PROCESS_INFORMATION process;
    if (!CreateProcessW(python, command, NULL, NULL, FALSE, 0, NULL, folder, &startup, &process)) {
        fail(L"python\\pythonw.exe did not start");
        return 1;
    }
    CloseHandle(process.hThread);
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD status = 1;
    GetExitCodeProcess(process.hProcess, &status);
    CloseHandle(process.hProcess);
    return (int)status;
}
