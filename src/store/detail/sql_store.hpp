#pragma once
// The Store written once in SQL shared by every engine, over a ConnectionPool.

#include <memory>

#include "store/detail/connection.hpp"
#include "store/store.hpp"

namespace deskbridge::store::detail {

std::unique_ptr<Store> make_sql_store(ConnectionPool::Factory factory, unsigned pool_size);

}  // namespace deskbridge::store::detail
