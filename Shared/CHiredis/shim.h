#ifndef CUMULUS_CHIREDIS_SHIM_H
#define CUMULUS_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
