#include "app/zoho_check.hpp"

#include <gtest/gtest.h>

namespace deskbridge::app {
namespace {

TEST(ZohoDataCentre, FromHost) {
    EXPECT_EQ(zoho_data_centre_of("https://accounts.zoho.com"), "com");
    EXPECT_EQ(zoho_data_centre_of("https://desk.zoho.eu/"), "eu");
    EXPECT_EQ(zoho_data_centre_of("https://accounts.zoho.com.au:443"), "com.au");
    EXPECT_EQ(zoho_data_centre_of("https://desk.zohocloud.ca"), "zohocloud.ca");
    EXPECT_EQ(zoho_data_centre_of("https://DESK.ZOHO.IN"), "in");
    EXPECT_EQ(zoho_data_centre_of("http://127.0.0.1:8099"), "");
    EXPECT_EQ(zoho_data_centre_of("https://www.zohoapis.com"), "");
}

}  // namespace
}  // namespace deskbridge::app
