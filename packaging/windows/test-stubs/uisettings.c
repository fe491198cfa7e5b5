/*
 * TEST-ONLY stub of the WinRT class Windows.UI.ViewManagement.UISettings for Wine 8.
 *
 * Why: Qt's native "windows" platform asks UISettings for the accent and text colours. Wine 8
 * has no such class, C++/WinRT throws, and the process aborts (exit 3) before any window shows.
 * Every real Windows 10 (1809 included) and 11 has the class, so the installer never ships this:
 * packaging/windows/wine-prepare.sh builds it with mingw-w64 and registers it in one Wine test
 * prefix only, so that the native-platform run under Xvfb can go on.
 *
 * The object answers IUISettings, IUISettings2 and IUISettings3 with one vtable whose slot 6 is
 * IUISettings3::GetColorValue (the call Qt makes); the colours are the Windows defaults (black
 * text on white, blue accent). Every other slot returns E_NOTIMPL.
 */
#define COBJMACROS
#include <windows.h>
#include <string.h>

typedef struct { BYTE a, r, g, b; } WinColor; /* Windows.UI.Color: A, R, G, B */

static const GUID IID_IUnknown_ = {0x00000000, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
static const GUID IID_IInspectable_ = {0xAF86E2E0, 0xB12D, 0x4C6A, {0x9C, 0x5A, 0xD7, 0xAA, 0x65, 0x10, 0x1E, 0x90}};
static const GUID IID_IAgileObject_ = {0x94EA2B94, 0xE9CC, 0x49E0, {0xC0, 0xFF, 0xEE, 0x64, 0xCA, 0x8F, 0x5B, 0x90}};
static const GUID IID_IActivationFactory_ = {0x00000035, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
static const GUID IID_IUISettings_ = {0x85361600, 0x1C63, 0x4627, {0xBC, 0xB1, 0x3A, 0x89, 0xE0, 0xBC, 0x9C, 0x55}};
static const GUID IID_IUISettings2_ = {0xBAD82401, 0x2721, 0x44F9, {0xBB, 0x91, 0x2B, 0xB2, 0x28, 0xBE, 0x44, 0x2F}};
static const GUID IID_IUISettings3_ = {0x03021BE4, 0x5254, 0x4781, {0x81, 0x94, 0x51, 0x68, 0xF7, 0xD0, 0x6D, 0x7B}};

typedef struct Obj { void **vtbl; LONG refs; } Obj;

static HRESULT WINAPI obj_qi(Obj *self, const GUID *iid, void **out);
static ULONG WINAPI obj_addref(Obj *self) { return InterlockedIncrement(&self->refs); }
static ULONG WINAPI obj_release(Obj *self) { return InterlockedDecrement(&self->refs); }
static HRESULT WINAPI obj_getiids(Obj *self, ULONG *count, GUID **iids) { *count = 0; *iids = NULL; return S_OK; }
static HRESULT WINAPI obj_getname(Obj *self, void **name) { *name = NULL; return S_OK; }
static HRESULT WINAPI obj_gettrust(Obj *self, int *level) { *level = 0; return S_OK; }
static HRESULT WINAPI not_implemented(void) { return E_NOTIMPL; }

/* IUISettings3::GetColorValue(UIColorType, Color*): 0 Background, 1 Foreground, 2-4 AccentDark3-1,
 * 5 Accent, 6-8 AccentLight1-3, 9 Complement. */
static HRESULT WINAPI settings_colour(Obj *self, int type, WinColor *out)
{
    WinColor white = {255, 255, 255, 255}, black = {255, 0, 0, 0}, accent = {255, 0, 120, 215};
    *out = type == 0 ? white : type == 1 ? black : accent;
    return S_OK;
}
static HRESULT WINAPI settings_add_event(Obj *self, void *handler, INT64 *token) { *token = 1; return S_OK; }
static HRESULT WINAPI settings_remove_event(Obj *self, INT64 token) { return S_OK; }

static void *settings_vtbl[40];
static Obj settings = {settings_vtbl, 1};

static HRESULT WINAPI factory_activate(Obj *self, void **out)
{
    obj_addref(&settings);
    *out = &settings;
    return S_OK;
}
static void *factory_vtbl[40];
static Obj factory = {factory_vtbl, 1};

static HRESULT WINAPI obj_qi(Obj *self, const GUID *iid, void **out)
{
    int common = IsEqualGUID(iid, &IID_IUnknown_) || IsEqualGUID(iid, &IID_IInspectable_)
                 || IsEqualGUID(iid, &IID_IAgileObject_);
    int ok = self == &factory
                 ? common || IsEqualGUID(iid, &IID_IActivationFactory_)
                 : common || IsEqualGUID(iid, &IID_IUISettings_) || IsEqualGUID(iid, &IID_IUISettings2_)
                       || IsEqualGUID(iid, &IID_IUISettings3_);
    if (!ok) { *out = NULL; return E_NOINTERFACE; }
    obj_addref(self);
    *out = self;
    return S_OK;
}

static void fill(void **vtbl)
{
    for (int i = 0; i < 40; i++) vtbl[i] = (void *)not_implemented;
    vtbl[0] = (void *)obj_qi; vtbl[1] = (void *)obj_addref; vtbl[2] = (void *)obj_release;
    vtbl[3] = (void *)obj_getiids; vtbl[4] = (void *)obj_getname; vtbl[5] = (void *)obj_gettrust;
}

__declspec(dllexport) HRESULT WINAPI DllGetActivationFactory(void *class_id, void **out)
{
    fill(factory_vtbl);
    factory_vtbl[6] = (void *)factory_activate;
    fill(settings_vtbl);
    settings_vtbl[6] = (void *)settings_colour;
    settings_vtbl[7] = (void *)settings_add_event;
    settings_vtbl[8] = (void *)settings_remove_event;
    obj_addref(&factory);
    *out = &factory;
    return S_OK;
}

__declspec(dllexport) HRESULT WINAPI DllCanUnloadNow(void) { return S_FALSE; }
